#!/usr/bin/env bash
# The walkthrough of docs/walkthrough.md, runnable against `bash scripts/run` (demo data).
set -e
cd "$(dirname "$0")/.."
# Real tokens, issued on the same store as the server's (the last line is the token).
token() { .venv/bin/gongjian token create --expires-days 1 "$@" | tail -1; }
H="Authorization: Bearer $(token --role community_secretary --tenant fenglin-kangjian --user secretary-kang)"
SH="Authorization: Bearer $(token --role street_admin --tenant fenglin --user street-admin-zhou)"
J='Content-Type: application/json'
B=http://127.0.0.1:8000
C=$B/tenants/fenglin-kangjian
# gql QUERY [AUTH]: as the community's secretary unless another token is given.
gql() { curl -s -X POST $B/graphql -H "$J" -H "${2:-$H}" -d "$(python3 -c 'import json,sys;print(json.dumps({"query":sys.argv[1]}))' "$1")"; echo; }
id() { python3 -c 'import json,sys;print(json.load(sys.stdin)["record_id"])'; }

# 1. A commitment
COMMITMENT=$(curl -s -X POST $C/commitments -H "$H" -H "$J" -d '{"maker_kind":"community_party_organisation",
  "maker_id":"fenglin-kangjian","text":"社区食堂为80岁以上老人每日配送午餐","category":"为老服务","due":"2027-06-30",
  "milestones":[{"id":"pilot","title":"试点两栋楼","due":"2027-01-31"},{"id":"all","title":"全覆盖","due":"2027-06-30"}]}' | id)
curl -s -X POST $C/commitments/$COMMITMENT/publication -H "$H" -H "$J" -d '{"channel":"notice_board","published_on":"2026-11-21"}'; echo
curl -s -X POST $C/commitments/$COMMITMENT/progress -H "$H" -H "$J" -d '{"milestone_id":"pilot","percent":40,"evidence":["配送登记表.jpg"]}'; echo
curl -s -X POST $C/commitments/$COMMITMENT/ratings -H "$H" -H "$J" -d '{"resident_id":"resident-zhang","period":"2026H2","rating":5,"comment":"很及时"}'; echo
gql "{ tenant(id: \"fenglin-kangjian\") { commitment(id: \"$COMMITMENT\") { text statusLabel channelLabel lapsed
  milestones { title percent overdue } satisfaction { numerator denominator rate target meetsTarget }
  history { position type recordedAt actor { userId role } data } } } }"

# 2. A claim
MEMBER=$(curl -s -X POST $C/members -H "$H" -H "$J" -d '{"name":"孙立新","member_class":"in_service","work_unit":"区人民法院"}' | id)
curl -s -X POST $C/members/$MEMBER/residence-report -H "$H" -H "$J" -d '{"reported_on":"2026-11-21"}'; echo
POST=$(curl -s -X POST $C/posts -H "$H" -H "$J" -d '{"title":"法律咨询服务","category":"rights_protection","capacity":2}' | id)
curl -s -X POST $C/members/$MEMBER/claims -H "$H" -H "$J" -d "{\"post_id\":\"$POST\"}"; echo
LOG=$(curl -s -X POST $C/members/$MEMBER/service-logs -H "$H" -H "$J" -d "{\"post_id\":\"$POST\",\"served_on\":\"2026-11-21\",\"hours\":\"2.5\",\"what\":\"周六法律咨询\"}" | python3 -c 'import json,sys;print(json.load(sys.stdin)["log_id"])')
curl -s -X POST $C/members/$MEMBER/service-logs/$LOG/review -H "$H" -H "$J" -d '{"confirmed":true}'; echo
gql "{ tenant(id: \"fenglin-kangjian\") { member(id: \"$MEMBER\") { name memberClassLabel membershipHere reportedOn confirmedHours
  claims { active post { title categoryLabel capacity } } serviceLogs { servedOn hours status } history { type } }
  participation { members { numerator denominator rate target meetsTarget } lastCollectiveActivity } } }"

# 3. An evaluation (the demo street already has a published six-in-one rubric)
S=$B/tenants/fenglin
gql '{ tenant(id: "fenglin") { rubrics { nodes { id name revisions { revision published total } } } } }' "$SH"
RUBRIC=$(curl -s -X POST $B/graphql -H "$J" -H "$SH" -d '{"query":"{ tenant(id: \"fenglin\") { rubrics(first: 1) { nodes { id } } } }"}' | python3 -c 'import json,sys;print(json.load(sys.stdin)["data"]["tenant"]["rubrics"]["nodes"][0]["id"])')
EVALUATION=$(curl -s -X POST $S/evaluations -H "$SH" -H "$J" -d "{\"subject_kind\":\"community\",\"subject_id\":\"fenglin-kangjian\",
  \"period\":\"2026H2\",\"rubric_id\":\"$RUBRIC\",\"revision\":1,\"sources\":[{\"id\":\"inspection\",\"label\":\"街道实地检查\",\"weight\":\"0.6\"},
  {\"id\":\"self\",\"label\":\"社区自评\",\"weight\":\"0.2\"},{\"id\":\"residents\",\"label\":\"居民评议\",\"weight\":\"0.2\"}]}" | id)
curl -s -X POST $S/evaluations/$EVALUATION/scores -H "$SH" -H "$J" -d '{"item_id":"08","source_id":"inspection","points":"3.5","evidence":"满意度抽样"}'; echo
curl -s -X POST $S/evaluations/$EVALUATION/finalisation -H "$SH" -H "$J" -d '{}' | cut -c1-200; echo
gql "{ tenant(id: \"fenglin\") { evaluation(id: \"$EVALUATION\") { subjectId period statusLabel
  items { id labelZh maxPoints scores { sourceId points } indicatorLabel indicatorFigure { numerator denominator rate target meetsTarget } }
  sources { sourceId weight total } } ranking(period: \"2026H1\") { rank subjectName weightedTotal } } }" "$SH"
