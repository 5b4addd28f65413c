"""Scheduled transitions of drops."""

from __future__ import annotations

from jobs.scheduler import JobDeps, JobSpec


def job_specs(deps: JobDeps) -> list[JobSpec]:
    return []
