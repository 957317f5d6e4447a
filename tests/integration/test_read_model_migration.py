"""`gongjian migrate` brings the read models to their declared shape: unchanged, it
leaves them alone; changed (or from before shapes were fingerprinted), it recreates
them and projection replays every log into them."""

from __future__ import annotations

from sqlalchemy import Engine, func, select, update

from api.platform import Platform, migrate
from projections.runner import PROJECTION
from projections.schema import fingerprint, read_model_version
from projections.tables import events as feed
from tenants.demo.meetings import load_demo
from tenants.store.schema import tracking


def _state(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(feed)).scalar_one()
        tracked = conn.execute(
            select(func.count()).select_from(tracking).where(tracking.c.projection == PROJECTION)
        ).scalar_one()
    return int(rows), int(tracked)


def test_a_changed_read_model_shape_is_recreated_and_replayed(private_engine: Engine) -> None:
    engine = private_engine
    platform = Platform(engine)
    load_demo(platform.ledgers, platform.report_figures)
    platform.projector.catch_up_all()
    projected = _state(engine)
    assert projected[0] > 0 and projected[1] > 0
    with engine.connect() as conn:
        assert conn.execute(select(read_model_version.c.fingerprint)).scalar() == fingerprint(
            engine
        )

    migrate(engine)  # same shape: nothing happens
    assert _state(engine) == projected

    # As if the rows were made by an earlier declaration of the read models.
    with engine.begin() as conn:
        conn.execute(update(read_model_version).values(fingerprint="0" * 64))
    migrate(engine)
    assert _state(engine) == (0, 0), "recreated empty, tracking cleared"
    platform.projector.catch_up_all()
    assert _state(engine) == projected, "every log replayed into the new shape"
    with engine.connect() as conn:
        assert conn.execute(select(read_model_version.c.fingerprint)).scalar() == fingerprint(
            engine
        )
    platform.close()
