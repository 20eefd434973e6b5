"""The job contract (aegui.core.jobs.job): what the window's thread layer and the CLI rely on of
any job: cancel() from another thread reaches the job's next check, the job still ends with a
CANCELLED item (with its partial result), and run() hands back the last item's result."""
import threading

from aegui.core.jobs.job import CANCELLED, FINISHED, Job, Progress


class Count(Job):
    def __init__(self, n):
        self.n = n

    def steps(self):
        for i in range(self.n):
            if self.cancelled:
                yield Progress(state=CANCELLED, fraction=i / self.n, result=i)
                return
            yield Progress(fraction=(i + 1) / self.n)
        yield Progress(state=FINISHED, fraction=1.0, result=self.n)


def test_run_returns_the_last_items_result():
    assert Count(5).run() == 5
    assert [p.ended for p in Count(3).steps()] == [False, False, False, True]


def test_a_cancel_from_another_thread_ends_the_job_with_a_cancelled_item():
    job = Count(1000)
    items = []
    for p in job.steps():
        items.append(p)
        if len(items) == 10:
            other = threading.Thread(target=job.cancel)     # as the window's Cancel button
            other.start()
            other.join()
    assert job.cancelled
    assert items[-1].state == CANCELLED and items[-1].ended and items[-1].result == 10
    assert not Count(3).cancelled       # one job's cancel is its own
