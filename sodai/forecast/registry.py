"""The model registry's side of a forecast: is the new winner worth a new version?

A version carries its backtest score and a digest of what the score was computed on (the
series and the backtest's lengths) as tags. The winner becomes a new version, and the
`champion` alias moves to it, only when there is no champion, when the champion was scored on
other data (new periods, revised values, other lengths: its score is not comparable, and it was
fitted on other history), or when the winner's MAPE is strictly lower. Re-running on unchanged
data therefore registers nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
from mlflow import MlflowClient
from mlflow.entities.model_registry import ModelVersion
from mlflow.exceptions import MlflowException

SCORE_TAG, DIGEST_TAG, METHOD_TAG = "backtest_mape", "backtest_digest", "method"


def backtest_digest(periods: pd.DatetimeIndex, values: np.ndarray, **lengths: int) -> str:
    """What a backtest score depends on besides the method."""
    blob = json.dumps({"periods": [p.date().isoformat() for p in periods],
                       "values": [round(float(v), 9) for v in values], "lengths": lengths}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def champion(client: MlflowClient, name: str, alias: str) -> ModelVersion | None:
    try:
        return client.get_model_version_by_alias(name, alias)
    except MlflowException as error:
        if error.error_code == "RESOURCE_DOES_NOT_EXIST" or "not found" in str(error).lower() \
                or "does not exist" in str(error).lower():
            return None
        raise


@dataclass(frozen=True)
class Decision:
    register: bool
    reason: str


def decide(current: ModelVersion | None, digest: str, mape: float) -> Decision:
    if current is None:
        return Decision(True, "no champion yet")
    if current.tags.get(DIGEST_TAG) != digest:
        return Decision(True, "the champion was scored on other data")
    score = float(current.tags.get(SCORE_TAG, "inf"))
    if mape < score:
        return Decision(True, f"MAPE {mape:.3f} beats the champion's {score:.3f}")
    return Decision(False, f"the champion (version {current.version}, MAPE {score:.3f}) is at least as good")


def promote(client: MlflowClient, name: str, alias: str, version: ModelVersion, *, mape: float, digest: str,
            method: str) -> None:
    for key, value in ((SCORE_TAG, repr(mape)), (DIGEST_TAG, digest), (METHOD_TAG, method)):
        client.set_model_version_tag(name, version.version, key, value)
    client.set_registered_model_alias(name, alias, version.version)
