"""The weekly patrol plan: candidate stops, their hourly value, the solved plan and its reasons.

One module per step, imported one way (each only from those above it):

- :mod:`~geo.patrol.priorities`: the rules and priorities (``data/prioriteringar.toml``);
- :mod:`~geo.patrol.profiles`: hour-of-week profiles (168 shares);
- :mod:`~geo.patrol.candidates`: the week's candidate stops on the road network;
- :mod:`~geo.patrol.windows`: the trip windows and the value of a stop in each;
- :mod:`~geo.patrol.reasons`: the Swedish reason of a stop and of its time;
- :mod:`~geo.patrol.plan`: the solved plan (solver in :mod:`geo.patrol_solver`);
- :mod:`~geo.patrol.trips`: a plan's trips, from leaving the entry point to back out;
- :mod:`~geo.patrol.stored`: plans in the store, the inputs, the week to plan (the outputs
  are written by :mod:`geo.report.plan`, above this package).
"""

from geo.patrol.candidates import CANDIDATE_COLUMNS, plan_candidates
from geo.patrol.plan import (
    STOP_COLUMNS,
    Plan,
    choose_solution,
    entry_point,
    make_plan,
    timed_by_traffic,
    week_candidates,
)
from geo.patrol.priorities import (
    ACTIVITIES,
    ALCOHOL_ACTION,
    PlanSettings,
    load_priorities,
    priorities_path,
    week_seed,
)
from geo.patrol.reasons import (
    data_end,
    explain_stop,
    explain_time,
    reason_period,
    vs_last_year,
)
from geo.patrol.stored import (
    PlanInputs,
    Replan,
    next_week,
    plan_from_inputs,
    read_plan_inputs,
    read_plan_stops,
    replan,
    replan_not_before,
    save_plan,
    week_forecast,
    week_to_plan,
)
from geo.patrol.trips import TRIP_COLUMNS, plan_trips
from geo.patrol.windows import Windows, stop_values, trip_windows

__all__ = [
    "ACTIVITIES",
    "ALCOHOL_ACTION",
    "CANDIDATE_COLUMNS",
    "STOP_COLUMNS",
    "TRIP_COLUMNS",
    "Plan",
    "PlanInputs",
    "PlanSettings",
    "Replan",
    "Windows",
    "choose_solution",
    "data_end",
    "entry_point",
    "explain_stop",
    "explain_time",
    "load_priorities",
    "make_plan",
    "next_week",
    "plan_candidates",
    "plan_from_inputs",
    "plan_trips",
    "priorities_path",
    "read_plan_inputs",
    "read_plan_stops",
    "reason_period",
    "replan",
    "replan_not_before",
    "save_plan",
    "stop_values",
    "timed_by_traffic",
    "trip_windows",
    "vs_last_year",
    "week_candidates",
    "week_forecast",
    "week_seed",
    "week_to_plan",
]
