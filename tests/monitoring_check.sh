#!/usr/bin/env bash
# Checks resources/monitoring/ (ctest monitoring_check):
#   - promtool check config prometheus.yml (with the rule files it loads), promtool check rules, and
#     promtool test rules gemgate-alerts.test.yml;
#   - every alert of gemgate-alerts.yml has a test case where it fires and one with `exp_alerts: []`;
#   - grafana-dashboard.json parses, every panel uses the ${DS_PROMETHEUS} data source and has a target with an
#     expression, and the expressions are valid PromQL (promtool check rules on them as recording rules, with
#     Grafana's $__rate_interval / $instance filled in);
#   - every gemgate_* / process_* metric name in the rules, their tests and the dashboard is listed in
#     metric-names.txt (histogram series by their base name, without _bucket / _sum / _count).
# promtool is $GEMGATE_PROMTOOL, else /usr/local/lib/gemgate-test-tools/promtool (installer/linux/install-deps.sh
# --test puts it there), else promtool on PATH. Without promtool or node the check fails; it never skips.
#   monitoring_check.sh [<monitoring dir>]     (default: resources/monitoring beside this script's tests/)
set -uo pipefail

dir=${1:-"$(dirname "$0")/../resources/monitoring"}
dir=$(cd "$dir" && pwd) || exit 1

die() {
  echo "monitoring_check: $*" >&2
  exit 1
}

if [ -n "${GEMGATE_PROMTOOL:-}" ]; then
  promtool=$GEMGATE_PROMTOOL
elif [ -x /usr/local/lib/gemgate-test-tools/promtool ]; then
  promtool=/usr/local/lib/gemgate-test-tools/promtool
elif command -v promtool >/dev/null 2>&1; then
  promtool=$(command -v promtool)
else
  die "promtool not found (run installer/linux/install-deps.sh --test, or set GEMGATE_PROMTOOL)"
fi
"$promtool" --version >/dev/null 2>&1 || die "$promtool does not run"
command -v node >/dev/null 2>&1 || die "node not found (run installer/linux/install-deps.sh --test)"
for f in prometheus.yml gemgate-alerts.yml gemgate-alerts.test.yml grafana-dashboard.json metric-names.txt; do
  [ -f "$dir/$f" ] || die "$dir/$f is missing"
done

# promtool resolves rule_files relative to the config file: work on a copy so nothing lands in the source tree.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$dir/prometheus.yml" "$dir/gemgate-alerts.yml" "$dir/gemgate-alerts.test.yml" "$tmp/"

checks=0
failed=0
check() { # check <description> <command...>
  local what=$1
  shift
  checks=$((checks + 1))
  echo "monitoring_check: $what"
  if ! "$@"; then
    echo "monitoring_check: FAILED: $what" >&2
    failed=$((failed + 1))
  fi
}

promtool_in_tmp() { # promtool_in_tmp <promtool args...>: run promtool in the copy
  (cd "$tmp" && "$promtool" "$@")
}
check "promtool check config prometheus.yml" promtool_in_tmp check config prometheus.yml
check "promtool check rules gemgate-alerts.yml" promtool_in_tmp check rules gemgate-alerts.yml
check "promtool test rules gemgate-alerts.test.yml" promtool_in_tmp test rules gemgate-alerts.test.yml

# Test coverage: for every `- alert: X`, an alert_rule_test with `alertname: X` whose exp_alerts lists alerts, and
# one whose exp_alerts is `[]`.
coverage() {
  local alerts
  alerts=$(sed -nE 's/^[[:space:]]*-[[:space:]]*alert:[[:space:]]*([A-Za-z0-9_]+).*/\1/p' "$dir/gemgate-alerts.yml")
  [ -n "$alerts" ] || { echo "no alert found in gemgate-alerts.yml" >&2; return 1; }
  awk -v alerts="$alerts" '
    /^[[:space:]]*#/ { next }
    /alertname:/ { name = $0; sub(/.*alertname:[[:space:]]*/, "", name); sub(/[[:space:]].*/, "", name) }
    /exp_alerts:[[:space:]]*\[\][[:space:]]*$/ { quiet[name] = 1; next }
    /exp_alerts:[[:space:]]*$/ { fires[name] = 1 }
    END {
      n = split(alerts, list, "\n"); bad = 0
      for (i = 1; i <= n; i++) {
        if (!(list[i] in fires)) { print "no test case where " list[i] " fires" > "/dev/stderr"; bad = 1 }
        if (!(list[i] in quiet)) {
          print "no test case where " list[i] " does not fire (exp_alerts: [])" > "/dev/stderr"; bad = 1
        }
      }
      exit bad
    }' "$dir/gemgate-alerts.test.yml"
}
check "every alert has a firing and a non-firing test case" coverage

# The dashboard. Writes every expression (targets and templating queries) to $tmp/dashboard-exprs.txt, and the
# targets' expressions as recording rules to $tmp/dashboard-rules.yml (JSON is YAML).
dashboard() {
  # shellcheck disable=SC2016 # JavaScript in single quotes
  node -e '
    const fs = require("fs");
    const [file, out, rulesOut] = process.argv.slice(1);
    const ds = "${DS_PROMETHEUS}";
    const errors = [];
    const exprs = [];
    let d;
    try {
      d = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
      console.error(`${file}: ${e.message}`);
      process.exit(1);
    }
    const usesDs = (x) => x && (x === ds || x.uid === ds);
    if (!(d.schemaVersion >= 36)) errors.push(`schemaVersion ${d.schemaVersion} (want 36 or later)`);
    if (d.uid !== "gemgate") errors.push(`uid ${JSON.stringify(d.uid)} (want "gemgate")`);
    if (!(d.__inputs || []).some((i) => i.name === "DS_PROMETHEUS" && i.pluginId === "prometheus"))
      errors.push("no DS_PROMETHEUS prometheus data source input in __inputs");
    const vars = (d.templating && d.templating.list) || [];
    if (!vars.some((v) => v.name === "DS_PROMETHEUS" && v.type === "datasource" && v.query === "prometheus"))
      errors.push("no DS_PROMETHEUS data source variable in templating");
    for (const v of vars) {
      if (v.type !== "query") continue;
      const q = typeof v.query === "string" ? v.query : v.query && v.query.query;
      if (!q) errors.push(`variable ${v.name}: no query`);
      else exprs.push(q);
      if (!usesDs(v.datasource)) errors.push(`variable ${v.name}: data source is not ${ds}`);
    }
    const ids = new Set();
    const rules = [];
    let count = 0;
    const walk = (panels) => {
      for (const p of panels || []) {
        const name = `panel ${p.id} "${p.title}"`;
        if (ids.has(p.id)) errors.push(`${name}: duplicate id`);
        ids.add(p.id);
        if (p.type === "row") {
          walk(p.panels);
          continue;
        }
        count++;
        if (!p.gridPos) errors.push(`${name}: no gridPos`);
        if (!usesDs(p.datasource)) errors.push(`${name}: data source is not ${ds}`);
        const targets = (p.targets || []).filter((t) => typeof t.expr === "string" && t.expr.trim() !== "");
        if (targets.length === 0) errors.push(`${name}: no target with an expr`);
        for (const t of p.targets || []) {
          if (t.datasource && !usesDs(t.datasource)) errors.push(`${name} target ${t.refId}: data source is not ${ds}`);
        }
        for (const t of targets) {
          exprs.push(t.expr);
          const promql = t.expr.replace(/\$__(rate_interval|interval|range)\b/g, "5m")
                               .replace(/\$\{?instance\}?/g, ".+");
          rules.push({ record: `dashboard:panel${p.id}_${t.refId}`, expr: promql });
        }
      }
    };
    walk(d.panels);
    if (count === 0) errors.push("no panels");
    for (const e of errors) console.error(`${file}: ${e}`);
    fs.writeFileSync(out, exprs.join("\n") + "\n");
    fs.writeFileSync(rulesOut, JSON.stringify({ groups: [{ name: "dashboard", rules }] }, null, 2) + "\n");
    if (errors.length === 0) console.log(`${count} panels, ${exprs.length} expressions`);
    process.exit(errors.length ? 1 : 0);
  ' "$dir/grafana-dashboard.json" "$tmp/dashboard-exprs.txt" "$tmp/dashboard-rules.yml"
}
check "grafana-dashboard.json" dashboard
check "promtool check rules on the dashboard's expressions" promtool_in_tmp check rules dashboard-rules.yml

# Metric names: gemgate_* and process_* words outside YAML comments in the rules and their tests, and in the
# dashboard's expressions.
names() { # names <file>: the metric names in a file, one a line
  grep -v '^[[:space:]]*#' "$1" | grep -oE '(^|[^A-Za-z0-9_:])(gemgate|process)_[A-Za-z0-9_:]+' |
    sed -E 's/^[^A-Za-z0-9_:]//' | sort -u
}
metric_names() {
  local bad=0 f label name base found
  for f in "$dir/gemgate-alerts.yml" "$dir/gemgate-alerts.test.yml" "$tmp/dashboard-exprs.txt"; do
    label=$(basename "$f")
    [ "$label" != dashboard-exprs.txt ] || label="grafana-dashboard.json expressions"
    [ -f "$f" ] || { echo "$label: missing" >&2; bad=1; continue; }
    found=$(names "$f")
    # Self-check: each of these files uses GemGate metrics, so finding none means the extraction is broken.
    [ -n "$found" ] || { echo "$label: no metric names found" >&2; bad=1; continue; }
    while IFS= read -r name; do
      base=$name
      if ! grep -qxF "$name" "$dir/metric-names.txt"; then
        base=$(printf '%s\n' "$name" | sed -E 's/_(bucket|sum|count)$//')
      fi
      if ! grep -qxF "$base" "$dir/metric-names.txt"; then
        echo "$label: $name is not in metric-names.txt" >&2
        bad=1
      fi
    done <<< "$found"
    echo "$label: $(printf '%s\n' "$found" | wc -l) metric names"
  done
  return "$bad"
}
check "metric names are in metric-names.txt" metric_names

if [ "$failed" -gt 0 ]; then
  echo "monitoring_check: $failed of $checks checks failed" >&2
  exit 1
fi
echo "monitoring_check: all $checks checks passed"
