#!/usr/bin/env bash
# A secretary's month (docs/walkthrough.md, part 2), against a running demo server
# (`bash scripts/run`): November 2026 in 康健社区. Notice → leave approval → sign-in
# at the door → decision → minutes received → execution review → upward report.
# GONGJIAN_URL names the server (default http://127.0.0.1:8000); the CLI issuing the
# tokens reads the server's database (GONGJIAN_DATABASE_URL, default ./gongjian.db).
set -euo pipefail
cd "$(dirname "$0")/.."
B=${GONGJIAN_URL:-http://127.0.0.1:8000}
BIN=${GONGJIAN_BIN:-.venv/bin}
PY=$BIN/python
T=fenglin-kangjian
C=$B/tenants/$T
token() { "$BIN/gongjian" token create --expires-days 1 "$@" | tail -1; }
SEC="Authorization: Bearer $(token --role community_secretary --tenant $T --user secretary-kang)"
STREET="Authorization: Bearer $(token --role street_admin --tenant fenglin --user street-admin-zhou)"

# post PATH BODY [AUTH]: POST as the secretary (or AUTH); print the answer, fail on 4xx/5xx.
post() {
  local answer status
  answer=$(curl -s -w '\n%{http_code}' -X POST "$1" -H 'Content-Type: application/json' \
    -H "${3:-$SEC}" -d "$2")
  status=${answer##*$'\n'}
  answer=${answer%$'\n'*}
  echo "POST ${1#"$B"} → $status $answer"
  [ "$status" -lt 400 ] || exit 1
  LAST=$answer
}
# field NAME: a field of the last answer.
field() { $PY -c 'import json,sys;print(json.loads(sys.argv[1])[sys.argv[2]])' "$LAST" "$1"; }
# gql QUERY [AUTH]: a GraphQL query; print its data.
gql() {
  curl -sf -X POST "$B/graphql" -H 'Content-Type: application/json' -H "${2:-$SEC}" \
    -d "$($PY -c 'import json,sys;print(json.dumps({"query":sys.argv[1]}))' "$1")"
  echo
}
# pick EXPR: evaluate EXPR over the last gql answer (as `d`, its data).
pick() { $PY -c 'import json,sys;d=json.loads(sys.stdin.read())["data"];print(eval(sys.argv[1]))' "$1"; }

echo "== 0. The community's units, its council chair, and the resolution still in progress"
UNITS=$(gql "{ tenant(id: \"$T\") { units(first: 10) { nodes { id name } }
  council { seats { officeLabel unit { name } } } } }")
echo "$UNITS"
# unit NAME: the id of the unit of that name.
unit() { echo "$UNITS" | pick "[u['id'] for u in d['tenant']['units']['nodes'] if u['name'] == '$1'][0]"; }
PARTY=$(unit 社区党委); HOSPITAL=$(unit 区第一人民医院党委); SCHOOL=$(unit 市第三中学党支部)
BANK=$(unit 工商银行枫林支行党支部); POLICE=$(unit 武警某中队党支部)
# The demo's October resolution: the party organisation and the hospital carry it out.
OPEN_RESOLUTION=$(gql "{ tenant(id: \"$T\") { resolutions(first: 1, status: IN_PROGRESS) {
  nodes { id title } } } }" | pick "d['tenant']['resolutions']['nodes'][0]['id']")
LIAISON="Authorization: Bearer $(token --role unit_liaison --tenant $T --unit "$HOSPITAL" --user liaison-li)"

echo "== 1. Schedule the November meeting, its agenda and its notice"
post "$C/meetings" '{"kind":"regular","title":"2026年11月党建联席会议","location":"康健社区党群服务中心",
  "scheduled_for":"2026-11-12T09:00:00+08:00","occurred_at":"2026-11-02T10:00:00+08:00"}'
M=$(field record_id)
post "$C/meetings/$M/agenda-items" '{"item_id":"review","title":"上次会议决议落实情况汇报",
  "kind":"execution_review","occurred_at":"2026-11-02T10:05:00+08:00"}'
post "$C/meetings/$M/agenda-items" '{"item_id":"winter","title":"冬季独居老人走访慰问",
  "occurred_at":"2026-11-02T10:06:00+08:00"}'
post "$C/meetings/$M/notice" '{"issued_at":"2026-11-03T09:00:00+08:00"}'

echo "== 2. Between notice and meeting: a unit reports execution, another asks for leave"
post "$C/resolutions/$OPEN_RESOLUTION/execution-reports" "{\"unit_id\":\"$PARTY\",\"kind\":\"progress\",
  \"note\":\"已完成方案公示，施工单位进场\",\"occurred_at\":\"2026-11-06T15:00:00+08:00\"}"
post "$C/meetings/$M/leave-requests" "{\"unit_id\":\"$POLICE\",\"reason\":\"执行安保任务\",
  \"opinions\":{\"winter\":\"同意，可派民警陪同走访\"},\"occurred_at\":\"2026-11-10T09:00:00+08:00\"}"
# The unit cannot excuse itself: the secretary (or the chair) decides.
post "$C/meetings/$M/leave-requests/$POLICE/decision" \
  '{"approved":true,"occurred_at":"2026-11-10T11:00:00+08:00"}'

echo "== 3. Sign-in at the door: the hospital's liaison signs in on a phone, the rest by the secretary"
post "$C/meetings/$M/sign-ins" "{\"unit_id\":\"$HOSPITAL\",\"attendee\":\"李慧敏\",
  \"occurred_at\":\"2026-11-12T08:50:00+08:00\"}" "$LIAISON"
for u in "$PARTY" "$SCHOOL" "$BANK"; do
  post "$C/meetings/$M/sign-ins" "{\"unit_id\":\"$u\",\"attendee\":\"主要负责人\",
    \"occurred_at\":\"2026-11-12T08:55:00+08:00\"}"
done

echo "== 4. Open (chaired by the council's chair, whose unit signed in), discuss, decide"
post "$C/meetings/$M/open" '{"occurred_at":"2026-11-12T09:00:00+08:00"}'
for u in "$PARTY" "$HOSPITAL" "$SCHOOL" "$BANK"; do
  post "$C/meetings/$M/agenda-items/winter/positions" "{\"unit_id\":\"$u\",\"position\":\"agree\",
    \"occurred_at\":\"2026-11-12T09:40:00+08:00\"}"
done
post "$C/meetings/$M/agenda-items/winter/decision" "{\"action\":\"十二月底前走访全部独居老人并建立台账\",
  \"responsible_unit_ids\":[\"$PARTY\",\"$HOSPITAL\"],\"deadline\":\"2026-12-31\",
  \"occurred_at\":\"2026-11-12T10:00:00+08:00\"}"
RESOLUTION=$(field resolution_id)
post "$C/meetings/$M/close" '{"occurred_at":"2026-11-12T10:30:00+08:00"}'

echo "== 5. Minutes issued to every notified unit; the hospital acknowledges receipt"
post "$C/meetings/$M/minutes" '{"text":"一、听取上次会议决议落实情况汇报。\n二、议定：十二月底前走访全部独居老人并建立台账。",
  "occurred_at":"2026-11-13T16:00:00+08:00"}'
post "$C/meetings/$M/minutes/receipts" "{\"unit_id\":\"$HOSPITAL\",
  \"occurred_at\":\"2026-11-14T09:00:00+08:00\"}" "$LIAISON"
post "$C/resolutions/$RESOLUTION/notifications" "{\"unit_ids\":[\"$PARTY\",\"$HOSPITAL\"],
  \"occurred_at\":\"2026-11-13T16:30:00+08:00\"}"
gql "{ tenant(id: \"$T\") { meeting(id: \"$M\") { title statusLabel chair { name }
  attendance { unit { name } status leaveStatus attendee }
  agenda { id title kindLabel outcomeLabel executionReports { unitId kind note } resolution { id statusLabel } }
  minutesRecipients { unitId acknowledgedAt } minutesProof { checkpoint { size } } } } }"

echo "== 6. Execution review: the hospital uploads its visit register and reports completion; the secretary verifies"
# The scanned register: any PDF; here one the demo's code draws.
REGISTER=$(mktemp --suffix=.pdf)
trap 'rm -f "$REGISTER"' EXIT
$PY -c 'import sys; from tenants.demo.evidence import sign_in_sheet
sys.stdout.buffer.write(sign_in_sheet("独居老人走访台账", ["李慧敏", "王建国"]))' > "$REGISTER"
NAME=$($PY -c 'import urllib.parse; print(urllib.parse.quote("走访台账.pdf"))')
UPLOADED=$(curl -sf -X POST "$C/evidence-files?name=$NAME" -H "$LIAISON" -H 'Content-Type: application/pdf' \
  --data-binary @"$REGISTER")
echo "POST /tenants/$T/evidence-files → $UPLOADED"
SHA=$($PY -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$REGISTER")
post "$C/resolutions/$RESOLUTION/execution-reports" "{\"unit_id\":\"$HOSPITAL\",\"kind\":\"completed\",
  \"note\":\"已走访独居老人36户，建立健康台账\",\"files\":[\"$SHA\"],
  \"occurred_at\":\"2026-11-20T17:00:00+08:00\"}" "$LIAISON"
post "$C/resolutions/$RESOLUTION/execution-reports" "{\"unit_id\":\"$PARTY\",\"kind\":\"completed\",
  \"note\":\"台账已归档\",\"occurred_at\":\"2026-11-21T10:00:00+08:00\"}"
post "$C/resolutions/$RESOLUTION/verification" '{"occurred_at":"2026-11-21T15:00:00+08:00"}'
gql "{ tenant(id: \"$T\") { resolution(id: \"$RESOLUTION\") { title statusLabel deadline overdue
  executionReports { unitId kindLabel note evidence files { name size sha256 downloadPath } } history { type actor { userId role } occurredAt } } } }"

echo "== 7. The report upward: the community files its 2026H2 report, the street acknowledges it"
post "$C/upward-reports" '{"period":"2026H2","achievements":"召开联席会议，议定冬季走访独居老人并已核验完成。",
  "problems":"个别成员单位参会不稳定。","plans":"十二月召开全年工作总结会。"}'
RECEIVED=$(field received_report_id)
gql "{ tenant(id: \"$T\") { upwardReports(period: \"2026H2\") { nodes { period statusLabel revision
  revisions { filedOn reflectsPosition narrative { sectionLabel text }
    figures { meetingsHeld { kind count } resolutionsAdopted resolutionsVerified resolutionsOverdue
      unitAttendance { numerator denominator rate } affairsReceived affairsClosed } } } } } }"
post "$B/tenants/fenglin/received-reports/$RECEIVED/acknowledgement" '{}' "$STREET"
gql "{ tenant(id: \"fenglin\") { receivedReports(communityId: \"$T\", period: \"2026H2\") {
  nodes { communityId statusLabel decidedAt history { type actor { userId role } } } } } }" "$STREET"
