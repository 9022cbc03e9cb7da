"""Hand-written types of the ``cocopay`` schema that the generated queries use (``@json`` in ``queries/cocopay/``).

The generator imports them (``from ..types import TokenUse``) where a query types a JSON column with
``-- @json tokens_used: list[TokenUse]``; results are validated into them, parameters dumped from them.
"""

from __future__ import annotations

import decimal
import uuid

from pydantic import BaseModel, ConfigDict


class TokenUse(BaseModel):
    """One token of a transaction's breakdown (``transactions.tokens_used``, an array of them) or the reward it
    earned (``transactions.rewards_earned``): ``{ token_address, amount, amount_usd, store_id }`` in the seed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    token_address: str
    amount: decimal.Decimal  # in the token's smallest unit (JSON: a string, to stay exact)
    amount_usd: decimal.Decimal | None = None
    store_id: uuid.UUID | None = None
