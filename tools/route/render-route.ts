/** Text rendering of a routing result (the JSON form is the result object itself). */
import type { RouteAnswer, RouteArea, RouteRefusal, RouteResult } from './route-work.ts';

const label = (name: string): string => name.padEnd(11);

function formatAnswer(a: RouteAnswer): string {
  const lines = [
    `${label('owner')}${a.module.name}  (${a.module.path} · ${a.module.layer} · ${a.module.tier})`,
    a.task
      ? `${label('task')}${a.task.key} — ${a.task.intent}${a.task.via === 'task_affinity' ? "  (from the module's task_affinity)" : ''}`
      : `${label('task')}(no task entry lists ${a.module.name})`,
    `${label('why')}${a.reason}`,
  ];
  if (!a.module.implemented)
    lines.push(
      `${label('note')}${a.module.name} is declared (${a.module.manifest}) but has no code yet: the work starts by creating it`,
    );
  if (a.confidence === 'low')
    lines.push(
      `${label('confidence')}low — little evidence or a close runner-up; read the manifests of the ranked modules before starting`,
    );
  if (a.folder) lines.push(`${label('folder')}${a.folder.name} — ${a.folder.when}`);
  lines.push(`${label('start')}${a.startWith.join(', ')}`);
  lines.push(`${label('avoid')}${a.avoid.length ? a.avoid.join(', ') : '(nothing listed)'}`);
  if (a.runnerUp)
    lines.push(
      `${label('runner-up')}${a.runnerUp.name} (${a.runnerUp.path}) — only ${Math.round(a.runnerUp.margin * 100)}% behind; check its manifest if the owner looks wrong`,
    );
  if (a.ranked.length > 1) lines.push(`${label('ranked')}${a.ranked.map((r) => `${r.name} ${r.score}`).join(' · ')}`);
  return `${lines.join('\n')}\n`;
}

function formatRefusal(r: RouteRefusal): string {
  const width = Math.max(...r.rules.map((rule) => rule.startHere.length));
  return [
    r.message,
    '',
    'Routing rules (specs/task-routing.yaml):',
    ...r.rules.map((rule) => `  ${rule.startHere.padEnd(width)}  ${rule.workType} — ${rule.why}`),
    '',
  ].join('\n');
}

function formatArea(a: RouteArea): string {
  return `${label('area')}${a.rule.startHere}${a.rule.paths.length ? `  (${a.rule.paths.join(', ')})` : ''}\n${label('why')}${a.message}\n`;
}

export function formatRouteResult(result: RouteResult): string {
  switch (result.kind) {
    case 'answer':
      return formatAnswer(result);
    case 'area':
      return formatArea(result);
    case 'refusal':
      return formatRefusal(result);
  }
}
