"""The sandbox's control API for payouts: look them up, decide a pending one's outcome."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from standin_common.web import ApiError

from standin_provider_sandbox.outcomes import OutcomeKind
from standin_provider_sandbox.payouts import (
    PAYOUT_DECLINES,
    Payout,
    UnknownPayoutReason,
    payout_outcome,
)
from standin_provider_sandbox.state import Sandbox


class PayoutOutcomeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: OutcomeKind
    code: str | None = Field(
        None, description="payout cancellation reason when outcome is fail (general_decline)"
    )
    duplicate: int | None = Field(None, ge=1, le=20, description="copies of the notification")


def payouts_control_router(sandbox: Sandbox) -> APIRouter:
    router = APIRouter(prefix="/sandbox/payouts", tags=["sandbox: payouts"])
    payouts = sandbox.payouts

    def find(payout_id: str) -> Payout:
        payout = payouts.payouts.get(payout_id)
        if payout is None:
            raise ApiError.single(404, "PAYOUT_NOT_FOUND", "No payout with this id.")
        return payout

    def view(payout: Payout) -> dict[str, Any]:
        notifications = sandbox.notifier.of_payment("yookassa", payout.id)
        return {
            "id": payout.id,
            "status": payout.status,
            "outcome": payout.outcome.as_json(),
            "provider_object": payout.as_json(),
            "notifications": [
                {
                    "id": sent.id,
                    "event": sent.event,
                    "delivered": sent.delivered,
                    "attempts": len(sent.deliveries),
                }
                for sent in notifications
            ],
        }

    @router.get("", summary="Payouts whose metadata holds a reference (e.g. our payout id)")
    async def with_reference(reference: str) -> Any:
        return {"payouts": [view(payout) for payout in payouts.with_reference(reference)]}

    @router.get("/{payout_id}", summary="The sandbox's view of a payout")
    async def one(payout_id: str) -> Any:
        return view(find(payout_id))

    @router.post("/{payout_id}/outcome", summary="Decide a pending payout (and notify)")
    async def outcome(payout_id: str, body: PayoutOutcomeRequest) -> Any:
        payout = find(payout_id)
        try:
            decided = payout_outcome(body.outcome, body.code)
        except UnknownPayoutReason:
            raise ApiError.single(
                422,
                "UNKNOWN_PAYOUT_REASON",
                "Unknown payout reason; one of " + ", ".join(sorted(PAYOUT_DECLINES)) + ".",
                pointer="/code",
            ) from None
        if body.duplicate is not None:
            payouts.duplicates[payout.id] = body.duplicate
        if not payouts.settle(payout, decided):
            raise ApiError.single(
                409, "PAYOUT_ALREADY_COMPLETED", f"The payout is already {payout.status}."
            )
        return view(payout)

    return router
