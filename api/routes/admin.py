"""Admin API: reload the live version, or run a refresh (fetch + build) in the background.

The token check is attached to the router, so no route can forget it. Without KB_ADMIN_TOKEN
every admin route answers 404, as if it did not exist.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Literal

from anyio import to_thread
from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, Field

from api.deps import FeedbackDep, LiveDep, RefreshJobsDep, require_admin
from api.errors import NotFound, error_responses

router = APIRouter(
    prefix="/api/admin",
    tags=["administration"],
    dependencies=[Depends(require_admin)],
    responses=error_responses(401, 403, 404),
)


class ReloadOut(BaseModel):
    version: str | None = Field(description="The live version after the reload, or null when none could be loaded")
    swapped: bool = Field(description="True when a different version is now serving")


class JobStartedOut(BaseModel):
    id: str = Field(description="The refresh job's id; follow it at GET /api/admin/refresh/{id}")


class JobOut(BaseModel):
    id: str = Field(description="The refresh job's id")
    state: Literal["running", "done", "failed"] = Field(description="Where the job is")
    report: dict[str, Any] | None = Field(None, description="What `kb refresh --json` reports, when finished")
    progress: dict[str, Any] | None = Field(None, description="The current phase (fetch/extract/embed/validate) "
                                                              "and how far it has come")
    started: str = Field(description="When the job started (ISO 8601)")
    finished: str | None = Field(None, description="When it finished (ISO 8601), or null while running")


@router.post("/reload", response_model=ReloadOut)
async def reload(live: LiveDep) -> ReloadOut:
    """Load the version `live.json` names now (instead of at the watcher's next poll)."""
    swapped = await to_thread.run_sync(partial(live.reload, force=True))
    return ReloadOut(version=live.version, swapped=swapped)


@router.post("/refresh", response_model=JobStartedOut, status_code=status.HTTP_202_ACCEPTED,
             responses=error_responses(409, 503))
def start_refresh(jobs: RefreshJobsDep) -> JobStartedOut:
    """Start `kb refresh` in the background; poll `GET /api/admin/refresh/{id}`. One at a time (409)."""
    return JobStartedOut(id=jobs.start().id)


@router.get("/refresh/{job_id}", response_model=JobOut)
def refresh_status(job_id: str, jobs: RefreshJobsDep) -> JobOut:
    job = jobs.get(job_id)
    if job is None:
        raise NotFound("Der findes ingen opdatering med dette id.")
    return JobOut(id=job.id, state=job.state, report=job.report, progress=job.progress, started=job.started,
                  finished=job.finished)


class FeedbackItemOut(BaseModel):
    id: int = Field(description="Running number")
    day: str = Field(description="The day it was given (YYYY-MM-DD, UTC); no time of day is kept")
    helpful: bool = Field(description='The answer to "Hjalp svaret?" (did the answer help?)')
    source: Literal["search", "passage"] = Field(description="Given on a result page or on a passage page")
    question: str | None = Field(description="The question, redacted as the query log redacts it (CPR numbers, "
                                             "phone numbers and e-mail addresses replaced); null on a passage page")
    passage_id: str = Field(description="The passage the answer rests on (the answer's first source)")
    publication_id: str = Field(description="Its publication")
    pages: list[int] = Field(description="Its PDF pages")
    page_label: str | None = Field(description="The printed page number of its first page, or null")
    version: str | None = Field(description="The index version that answered")
    filter_publication: str | None = Field(description="The publication the search was restricted to (`kb feedback "
                                                       "export` keeps it, and `kb eval` searches the same way); "
                                                       "null when all were searched, and on a passage page")


class FeedbackOut(BaseModel):
    count: int = Field(description="How many answers are stored: one per form, since a form posted again (a "
                                   "double click, a changed mind) replaces its answer")
    feedback: list[FeedbackItemOut] = Field(description="Every answer, oldest first")


@router.get("/feedback", response_model=FeedbackOut)
def feedback(store: FeedbackDep) -> FeedbackOut:
    """Caseworkers' "Hjalp svaret?" answers. `kb feedback export` turns the helpful ones into a `kb eval` file."""
    items = [FeedbackItemOut(**{k: v for k, v in item.to_dict().items() if k in FeedbackItemOut.model_fields})
             for item in store.all()]
    return FeedbackOut(count=len(items), feedback=items)
