"""Printed and exported outputs: the plan one-pager, the calendar, the monthly follow-up."""
