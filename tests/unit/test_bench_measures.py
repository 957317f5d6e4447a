"""The command benchmark's readings: py-spy stacks put in steps, libpq traces in round trips."""

from bench.command_profile import HTTP, OTHER, read_samples, step_of
from bench.command_round_trips import round_trips_of

ROOT = "Thread._bootstrap (threading.py:1002);WorkerThread.run (anyio/_backends/_asyncio.py:1124)"
ROUTE = ROOT + ";_endpoint.<locals>.endpoint (api/rest/routes.py:78)"
LOAD = "LedgerBase.load (tenants/ledger.py:129);Repository.get (eventsourcing/application.py:287)"


def test_loading_the_token_during_authentication_counts_as_authentication_not_loading():
    stack = (
        ROOT
        + ";current_principal (api/rest/routes.py:28);Authenticator._token (tenants/pipeline/identity.py:140);"
        + LOAD
    )
    [(frames, count)] = read_samples(stack + " 7")
    assert count == 7
    assert step_of(frames) == "authentication"


def test_loading_the_command_s_record_counts_as_aggregate_loading():
    stack = ROUTE + ";Pipeline.handle (tenants/pipeline/handling.py:75);" + LOAD
    [(frames, _)] = read_samples(stack + " 1")
    assert step_of(frames) == "aggregate loading"


def test_the_append_s_round_trip_is_told_from_encoding_its_events():
    commit = (
        ROUTE
        + ";LedgerBase.commit (tenants/ledger.py:180);Application.save (eventsourcing/application.py:400)"
    )
    sql = commit + ";TenantRecorder.insert_events (tenants/store/recorder.py:80)"
    [(encoding, _), (appending, _)] = read_samples(f"{commit} 1\n{sql} 1")
    assert step_of(encoding) == "append: encode events"
    assert step_of(appending) == "append: SQL"


def test_the_event_loop_is_http_and_a_background_thread_is_other():
    loop = "Server.run (uvicorn/server.py:70);RequestResponseCycle.run_asgi (uvicorn/protocols/http/h11_impl.py:403)"
    background = (
        "Thread._bootstrap (threading.py:1002);BackgroundProjector.run (projections/runner.py:50)"
    )
    [(http, _), (other, _)] = read_samples(f"{loop} 3\n{background} 2")
    assert step_of(http) == HTTP
    assert step_of(other) == OTHER


TRACE = """F\t10\tQuery\t "BEGIN"
B\t10\tCommandComplete\t "BEGIN"
B\t5\tReadyForQuery\t T
F\t60\tParse\t "" "SELECT max(position)
FROM es_tenant_heads" 1 NNNN
F\t20\tBind\t "" "" 1 1 1 2 'x' 1 0
F\t4\tSync
B\t5\tReadyForQuery\t T
F\t13\tQuery\t "ROLLBACK"
B\t5\tReadyForQuery\t I
F\t27\tParse\t "_pg3_0" "SELECT gongjian_append($1)" 1 NNNN
F\t4\tSync
B\t5\tReadyForQuery\t I
F\t28\tBind\t "" "_pg3_0" 1 1 1 2 'x' 1 0
F\t4\tSync
B\t5\tReadyForQuery\t I
"""


def test_each_ready_for_query_ends_a_round_trip_named_by_the_statement_that_began_it():
    assert round_trips_of(TRACE) == [
        "BEGIN",
        "SELECT max(position) FROM es_tenant_heads",
        "ROLLBACK",
        "prepare: SELECT gongjian_append($1)",
        "SELECT gongjian_append($1)",
    ]
