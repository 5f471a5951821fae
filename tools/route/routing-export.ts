/**
 * The routing table and the gate profiles as one JSON document for the docs site (the interactive
 * router and the "where does work start" tables). Pure: built from the plane only, so `plumego sync`
 * can regenerate it and fail on drift.
 */
import type { ControlPlane } from '../control-plane/index.ts';
import { getAreaRules } from '../gates/index.ts';

export type RoutingExportPlane = Pick<ControlPlane, 'modules' | 'taskRouting' | 'taxonomy' | 'gateProfiles'>;

export const ROUTING_EXPORT_VERSION = 1;

export function buildRoutingExport(plane: RoutingExportPlane) {
  const { taskRouting, taxonomy, gateProfiles } = plane;
  return {
    version: ROUTING_EXPORT_VERSION,
    generatedFrom: [
      'specs/task-routing.yaml',
      'specs/extension-taxonomy.yaml',
      'specs/gate-profiles.yaml',
      '**/module.yaml',
    ],
    contextPolicy: taskRouting.context_policy,
    routingRules: taskRouting.routing_rules.map((r) => ({
      id: r.id,
      workType: r.work_type,
      startHere: r.start_here,
      target: r.target,
      why: r.why,
    })),
    tasks: Object.entries(taskRouting.tasks)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, t]) => ({
        key,
        intent: t.intent,
        modules: t.modules,
        keywords: t.keywords ?? [],
        startWith: t.start_with,
        avoid: t.avoid,
        gateProfile: t.gate_profile ?? null,
      })),
    families: taxonomy.families.map((f) => ({
      root: f.root,
      workAbout: f.work_about,
      narrowerWhen: f.narrower_when ?? null,
      subordinates: f.subordinates.map((s) => ({ name: s.name, module: s.module, when: s.when })),
    })),
    modules: plane.modules.map((m) => ({
      name: m.name,
      path: m.path,
      layer: m.layer,
      tier: m.tier,
      family: m.family ?? null,
      summary: m.manifest.summary,
      primerQuestion: m.manifest.primer_question ?? null,
      nonGoals: m.manifest.non_goals,
      taskAffinity: m.manifest.task_affinity ?? [],
    })),
    gateProfiles: {
      rule: 'Every selection rule is evaluated; the strongest matching profile wins.',
      profiles: gateProfiles.profiles.map((p) => ({
        id: p.id,
        strength: p.strength,
        summary: p.summary,
        commands: p.commands,
      })),
      selection: gateProfiles.selection.map((s) => ({ id: s.id, profile: s.profile, when: s.when })),
      areas: getAreaRules(gateProfiles).map((a) => ({ id: a.id, paths: a.paths })),
    },
  };
}

export type RoutingExport = ReturnType<typeof buildRoutingExport>;
