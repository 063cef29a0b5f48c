"""Where tasks run: in this process (``LocalEngine``) or on a Dask cluster (``DaskEngine``), whose
workers load the pipeline once and are warmed up by running every step."""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import Any

import pandas as pd

from newsdesk.extract.registry import StepInputs
from newsdesk.extract.steps import all_steps
from newsdesk.store.task import AnnotateError, Batch, BatchTimeout, annotate_batch, infer_date
from newsdesk.store.versions import current_versions

logger = logging.getLogger(__name__)


# --- engines --------------------------------------------------------------------------------------------

Outcome = dict[str, Any] | BaseException

#: Seconds to wait for a Dask scheduler given by address to answer.
DEFAULT_CONNECT_TIMEOUT = 10.0


class LocalEngine:
    """Runs the tasks one after another in this process (one worker)."""

    workers = 1

    def __enter__(self) -> LocalEngine:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def ready(self) -> None:
        return None

    def versions(self) -> dict[str, str]:
        return current_versions()

    def run(
        self,
        store: str,
        batches: Iterable[Batch],
        *,
        in_flight: int | None = None,
        budget: float | None = None,
    ) -> Iterator[tuple[Batch, Outcome]]:
        """Each batch and its outcome, run one after another as they are asked for.

        A batch over its ``budget`` (seconds) fails with :class:`~.task.BatchTimeout` after the article
        during which it ran out: a single article that never finishes cannot be stopped in-process.
        """
        for batch in batches:
            batch = replace(batch, budget=budget)
            try:
                outcome: Outcome = annotate_batch(store, batch)
            except Exception as exc:  # reported per batch; the others go on
                outcome = exc
            yield batch, outcome


try:  # distributed is a dependency, but the local engine must not need it to import
    from distributed.diagnostics.plugin import WorkerPlugin
except ImportError:  # pragma: no cover
    WorkerPlugin = object  # type: ignore[assignment,misc]


#: A short text written to warm a worker up: a dateline, a quote with its speaker, a quoted term.
WARM_UP_TEXT = (
    "Harbour talks resume\n\nROTTERDAM, March 3 (Wire) - Port officials met union leaders on Monday. "
    '"We expect an agreement by Friday," union spokeswoman Anja de Vries told reporters. The port '
    'authority called the plan a "fair deal" and said the backlog would clear next week.\n'
)


def warm_up() -> None:
    """Run every registered step of a task once on :data:`WARM_UP_TEXT`, writing nothing.

    What a task needs is loaded then (the spaCy pipeline, quote and speaker lexicons, timex rules, the
    date inference, VADER's lexicon), so that a worker's first task runs at full speed.
    """
    from newsdesk.parsing.pipeline import nlp

    language = nlp()
    with language.memory_zone():
        doc = language(WARM_UP_TEXT)
        computed: dict[str, pd.DataFrame] = {}
        for step in all_steps():
            if not step.needs_lexicon:
                computed[step.name] = step.compute(doc, StepInputs(date="2025-03-03", frames=computed))
        infer_date(WARM_UP_TEXT)


class PipelinePlugin(WorkerPlugin):  # type: ignore[misc,valid-type]
    """Warms a worker up when it starts (:func:`warm_up`: ``newsdesk.nlp()`` keeps the pipeline)."""

    name = "newsdesk-pipeline"

    def setup(self, worker: Any) -> None:
        from newsdesk.store.engines import warm_up

        warm_up()


#: Worker settings for annotating: no statistical profiler (it samples the task's stack every 10 ms,
#: a cost of 10-20% on this Python-heavy work) and glibc's own malloc trimming (Dask's 64 KB threshold
#: makes spaCy's many small allocations return memory to the system over and over, about 15% slower).
WORKER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.nanny.pre-spawn-environ": {
        "OMP_NUM_THREADS": 1,
        "MKL_NUM_THREADS": 1,
        "OPENBLAS_NUM_THREADS": 1,
    },
}


def local_cluster(workers: int) -> Any:
    """A ``distributed.LocalCluster`` of ``workers`` single-threaded processes set up for annotating."""
    import dask
    from distributed import LocalCluster

    with dask.config.set(WORKER_CONFIG):
        return LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )


class DaskEngine:
    """Runs the tasks on a Dask cluster: a new ``LocalCluster``, a scheduler address, or a given client.

    Entering it starts the cluster (or connects) and warms the workers up in a background thread, so
    that this happens while the driver loads and strips the corpus; :meth:`ready` waits for it.
    """

    def __init__(
        self,
        *,
        scheduler: str | None = None,
        workers: int | None = None,
        client: Any = None,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    ):
        self.scheduler = scheduler
        self.n_workers = workers
        self.client = client
        self.connect_timeout = connect_timeout
        self._owned: list[Any] = []
        self._starting: threading.Thread | None = None
        self._start_error: BaseException | None = None

    def __enter__(self) -> DaskEngine:
        if self.client is None and self.scheduler:  # connecting is quick: fail before the corpus loads
            self.client = self._connect(self.scheduler)
            self._owned.insert(0, self.client)
        self._starting = threading.Thread(target=self._start, name="newsdesk-dask-start", daemon=True)
        self._starting.start()
        return self

    def _connect(self, address: str) -> Any:
        """A client of the scheduler at ``address``, within ``connect_timeout`` seconds.

        Raises:
            AnnotateError: naming the address, when it is malformed or nothing answers there in time.
        """
        from distributed import Client
        from distributed.comm.addressing import parse_address, parse_host_port

        try:
            scheme, location = parse_address(address)
            if scheme == "tcp":  # a refused or unroutable address fails here at once, not after retries
                host, port = parse_host_port(location, default_port=8786)
                socket.create_connection((host, port), timeout=self.connect_timeout).close()
            return Client(address, timeout=self.connect_timeout)
        except Exception as exc:  # refused, timed out, malformed, or something else answered there
            raise AnnotateError(
                f"cannot connect to a Dask scheduler at {address} ({type(exc).__name__}: {exc}); check "
                "the address (tcp://host:8786) and that the scheduler is running"
            ) from exc

    def _start(self) -> None:
        try:
            if self.client is None:
                from distributed import Client

                cluster = local_cluster(self.n_workers or os.cpu_count() or 1)
                self._owned.append(cluster)
                client = Client(cluster)
                self._owned.insert(0, client)
                self.client = client
            self.client.register_plugin(PipelinePlugin())
        except BaseException as exc:  # raised again by ready(), in the driver's thread
            self._start_error = exc

    def ready(self) -> None:
        """Wait until the cluster is up and its workers are warm; raise what starting it raised."""
        if self._starting is not None:
            self._starting.join()
            self._starting = None
        if self._start_error is not None:
            raise self._start_error

    def __exit__(self, *exc_info: object) -> None:
        if self._starting is not None:  # still starting (the driver failed early): close what it made
            self._starting.join()
        for resource in self._owned:
            try:
                resource.close()
            except Exception as exc:  # closing must not hide the run's own error
                logger.debug("closing %r failed: %s", resource, exc)

    @property
    def workers(self) -> int:
        self.ready()
        return max(1, len(self.client.scheduler_info(n_workers=-1)["workers"]))

    def versions(self) -> dict[str, str]:
        """The workers' versions; they must all agree."""
        self.ready()
        found = self.client.run(current_versions)
        distinct = {json.dumps(v, sort_keys=True) for v in found.values()}
        if len(distinct) != 1:
            raise AnnotateError(f"the Dask workers run different versions of newsdesk or its model: {found}")
        return json.loads(distinct.pop())

    def run(
        self,
        store: str,
        batches: Iterable[Batch],
        *,
        in_flight: int | None = None,
        budget: float | None = None,
    ) -> Iterator[tuple[Batch, Outcome]]:
        """Each batch and its outcome as it completes. The first ``in_flight`` batches (default two
        per worker) are submitted at once, when this is called; each further one as one completes.

        ``budget`` (seconds) bounds each task (checked after each article, :class:`~.task.BatchTimeout`)
        and the wait: when no batch finishes for ``budget`` seconds, every batch in flight has run or
        waited that long; they are cancelled and reported over budget, the rest as not run.
        """
        from distributed import as_completed

        waiting = iter(batches)
        of_future: dict[Any, Batch] = {}

        def submit() -> Any | None:
            batch = next(waiting, None)
            if batch is None:
                return None
            batch = replace(batch, budget=budget)
            future = self.client.submit(
                annotate_batch, store, batch, key=f"annotate-{batch.batch_id}", pure=False
            )
            of_future[future] = batch
            return future

        limit = TASKS_PER_WORKER * self.workers if in_flight is None else in_flight
        started = [f for f in (submit() for _ in range(limit)) if f is not None]
        return self._outcomes(as_completed(started), of_future, submit, waiting, budget)

    def _outcomes(
        self,
        queue: Any,
        of_future: dict[Any, Batch],
        submit: Callable[[], Any],
        waiting: Iterator[Batch],
        budget: float | None,
    ) -> Iterator[tuple[Batch, Outcome]]:
        try:
            last_finished = time.monotonic()
            while not queue.is_empty():
                if not queue.has_ready():
                    if budget is not None and time.monotonic() - last_finished > budget:
                        yield from self._stop_over_budget(of_future, waiting, budget)
                        return
                    time.sleep(POLL_SECONDS)
                    continue
                for future in queue.next_batch(block=False):
                    last_finished = time.monotonic()
                    batch = of_future.pop(future)
                    try:
                        outcome: Outcome = future.result()
                    except Exception as exc:  # the task raised or its worker died too often
                        outcome = exc
                    future.release()
                    following = submit()
                    if following is not None:
                        queue.add(following)
                    yield batch, outcome
        finally:
            if of_future:  # interrupted: nothing more is committed after this
                self.client.cancel(list(of_future))

    def _stop_over_budget(
        self, of_future: dict[Any, Batch], waiting: Iterator[Batch], budget: float
    ) -> Iterator[tuple[Batch, Outcome]]:
        """Cancel the batches in flight (reported over budget) and report the rest as not run."""
        in_flight = list(of_future.items())
        self.client.cancel([future for future, _ in in_flight])
        of_future.clear()
        stuck = ", ".join(batch.batch_id for _, batch in in_flight)
        logger.error("no batch finished within %g s; cancelled %s", budget, stuck)
        reason = (
            f"cancelled: no batch finished within the time budget of {budget:g} s (this batch, or one "
            "before it on its worker, ran over it)"
        )
        for _, batch in in_flight:
            yield batch, BatchTimeout.of(batch, reason)
        for batch in waiting:
            yield batch, AnnotateError(f"not run: the run stopped after batch(es) {stuck} ran over budget")


#: Seconds between checks of the Dask futures in flight (as ``as_completed`` itself polls).
POLL_SECONDS = 0.1

#: Tasks in flight per Dask worker: enough to keep it busy, few enough to keep memory flat.
TASKS_PER_WORKER = 2
