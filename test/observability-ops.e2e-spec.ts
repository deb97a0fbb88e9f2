import { readFileSync } from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { METRIC } from '../src/observability/metrics/metric-definitions';

const ops = (...parts: string[]) => path.join(__dirname, '..', 'ops', ...parts);

/** Our series in seconds that are gauges, not histograms. */
const GAUGES_IN_SECONDS = new Set<string>([METRIC.JOB_INTENTS_OLDEST]);
/** The series an expression may use: ours (histograms with their suffixes) and prom-client's default metrics. */
const OWN = new Set(
  Object.values(METRIC).flatMap((name) =>
    name.endsWith('_seconds') && !GAUGES_IN_SECONDS.has(name)
      ? [`${name}_bucket`, `${name}_count`, `${name}_sum`]
      : [name],
  ),
);
const DEFAULT_METRICS = new Set(['process_resident_memory_bytes', 'nodejs_eventloop_lag_p99_seconds']);

/** Every dc_/process_/nodejs_ series named in a PromQL expression. */
const seriesIn = (expr: string): string[] =>
  [...expr.matchAll(/\b((?:dc|process|nodejs)_[a-z0-9_]+)/g)].map((m) => m[1]);

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: { refId: string; expr: string; datasource?: { uid: string } }[];
}

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/**
 * Schema checks of ops/ that run everywhere (CI also runs `npm run ops:check`: promtool on the rules and their unit
 * tests): the Grafana dashboard and the alert rules are well formed and use only series this service exports.
 */
describe('ops/ dashboards and alert rules', () => {
  it('the Grafana dashboard is a valid dashboard over our series, with a datasource variable', () => {
    const dashboard = JSON.parse(readFileSync(ops('grafana', 'delegation-credentials.json'), 'utf8')) as {
      uid: string;
      title: string;
      schemaVersion: number;
      templating: { list: { name: string; type: string }[] };
      panels: Panel[];
    };
    expect(dashboard).toMatchObject({ uid: expect.any(String), title: expect.any(String) });
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.templating.list).toContainEqual(
      expect.objectContaining({ name: 'datasource', type: 'datasource' }),
    );
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const panels = dashboard.panels.filter((p) => p.type !== 'row');
    expect(panels.length).toBeGreaterThanOrEqual(10);
    const used = new Set<string>();
    for (const panel of panels) {
      expect({ title: panel.title, datasource: panel.datasource?.uid }).toEqual({
        title: panel.title,
        datasource: '${datasource}',
      });
      expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
      expect(panel.targets?.length).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) {
        for (const series of seriesIn(target.expr)) {
          expect({
            panel: panel.title,
            series,
            known: OWN.has(series) || DEFAULT_METRICS.has(series),
          }).toEqual({
            panel: panel.title,
            series,
            known: true,
          });
          used.add(series.replace(/_(bucket|count|sum)$/, ''));
        }
      }
    }
    // Every series of ours is on the dashboard.
    expect(Object.values(METRIC).filter((name) => !used.has(name))).toEqual([]);
  });

  it('the alert rules are well formed, over our series, with a severity and a summary', () => {
    const file = load(readFileSync(ops('prometheus', 'alerts.yml'), 'utf8')) as {
      groups: { name: string; rules: Rule[] }[];
    };
    const rules = file.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        'DelegationCredentialFailing',
        'DelegatedMembersFailing',
        'QueueBacklogGrowing',
        'WebhookDeliveriesFailing',
      ]),
    );
    for (const rule of rules) {
      expect(rule).toMatchObject({
        alert: expect.stringMatching(/^[A-Z][A-Za-z]+$/),
        expr: expect.any(String),
        for: expect.stringMatching(/^\d+[smh]$/),
        labels: { severity: expect.stringMatching(/^(warning|critical)$/) },
        annotations: { summary: expect.any(String), description: expect.any(String) },
      });
      for (const series of seriesIn(rule.expr)) {
        expect({ alert: rule.alert, series, known: OWN.has(series) }).toEqual({
          alert: rule.alert,
          series,
          known: true,
        });
      }
    }
  });
});
