"""A group of TrainingJobs that a lesson runs as one: they take one place in the training queue
together and are stopped, waited for and given back together (the optimizer race, the layers
experiment)."""

from __future__ import annotations


class JobGroup:
    """Subclasses set `self.jobs` (a tuple of TrainingJobs, not started)."""

    jobs: tuple = ()

    def start(self, owner: str | None = None) -> "JobGroup":
        """All jobs on one place in the training queue (they hold one slot together)."""
        from .job import start_together  # the jobs' module: imported when a group starts

        start_together(self.jobs, owner)
        return self

    def stop(self) -> None:
        for job in self.jobs:
            job.stop()

    def join(self) -> None:
        for job in self.jobs:
            job.join()

    def release(self) -> None:
        for job in self.jobs:
            job.release()

    @property
    def finished(self) -> bool:
        return all(job.snapshot().finished for job in self.jobs)
