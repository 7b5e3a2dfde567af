"""Liveness and readiness for load balancers and `systemd`/container health checks."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import IndexDep
from api.errors import error_responses

router = APIRouter(tags=["operations"])


class HealthOut(BaseModel):
    status: Literal["ok"] = Field(default="ok", description="Always \"ok\": the process answers")


class ReadyOut(BaseModel):
    status: Literal["ready"] = Field(default="ready", description="Always \"ready\": searches can be answered")
    version: str = Field(description="The live index version's id")


@router.get("/healthz", response_model=HealthOut)
async def healthz() -> HealthOut:
    """The process answers (always 200, also before an index exists)."""
    # Documents the probe; ``api.middleware.Liveness`` answers it first, with this model's body.
    return HealthOut()


@router.get("/readyz", response_model=ReadyOut, responses=error_responses(503))
async def readyz(index: IndexDep) -> ReadyOut:
    """200 with the live version when searches can be answered; 503 until an index is loaded."""
    return ReadyOut(version=index.version)
