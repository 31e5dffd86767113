"""followup: post-interview follow-up planner for job seekers and their coaches."""

__version__ = "0.1.0"
