import type { AnyRecord, Predicate, Transformation } from '@sluice/core';
import { ConfigValidationError } from '@sluice/core';
import type { PluginRegistry } from '../plugins/plugin-registry.js';

interface Stage {
  alias: string;
  className: string;
  transform: Transformation;
  predicate?: Predicate;
  negate: boolean;
}

/** Splits a Kafka Connect list value (comma-separated, trimmed, empties dropped). */
export function listValue(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** The settings under `prefix` with the prefix removed. */
export function withPrefix(config: Readonly<Record<string, string>>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return out;
}

/**
 * The connector's SMT chain (`transforms`, `transforms.<a>.type`, `.predicate`, `.negate`,
 * `predicates.<p>.type`). Transforms run in the listed order; a gated transform runs only when
 * `predicate.test(record) !== negate`; a null result drops the record and ends the chain.
 */
export class TransformationChain {
  private constructor(private readonly stages: Stage[]) {}

  static build(registry: PluginRegistry, config: Readonly<Record<string, string>>): TransformationChain {
    const predicates = new Map<string, Predicate>();
    const fields: { name: string; errors: string[] }[] = [];
    for (const alias of listValue(config['predicates'])) {
      const type = config[`predicates.${alias}.type`];
      const plugin = type ? registry.find(type, 'predicate') : undefined;
      if (!plugin) {
        fields.push({ name: `predicates.${alias}.type`, errors: [`Unknown predicate ${type ?? '(missing)'}`] });
        continue;
      }
      const predicate = plugin.create();
      predicate.configure(withPrefix(config, `predicates.${alias}.`));
      predicates.set(alias, predicate);
    }
    const stages: Stage[] = [];
    for (const alias of listValue(config['transforms'])) {
      const type = config[`transforms.${alias}.type`];
      const plugin = type ? registry.find(type, 'transformation') : undefined;
      if (!plugin) {
        fields.push({ name: `transforms.${alias}.type`, errors: [`Unknown transformation ${type ?? '(missing)'}`] });
        continue;
      }
      const transform = plugin.create();
      transform.configure(withPrefix(config, `transforms.${alias}.`));
      const predicateAlias = config[`transforms.${alias}.predicate`];
      const predicate = predicateAlias ? predicates.get(predicateAlias) : undefined;
      if (predicateAlias && !predicate) {
        fields.push({ name: `transforms.${alias}.predicate`, errors: [`Unknown predicate alias ${predicateAlias}`] });
      }
      const stage: Stage = {
        alias,
        className: plugin.className,
        transform,
        negate: (config[`transforms.${alias}.negate`] ?? 'false').toLowerCase() === 'true',
      };
      if (predicate) stage.predicate = predicate;
      stages.push(stage);
    }
    if (fields.length > 0) {
      throw new ConfigValidationError(`Invalid transformation chain: ${fields.map((f) => `${f.name}: ${f.errors.join('; ')}`).join(', ')}`, fields);
    }
    return new TransformationChain(stages);
  }

  get isEmpty(): boolean {
    return this.stages.length === 0;
  }

  /** Runs every stage; `onStage` lets the caller wrap each stage with error handling. */
  apply<R extends AnyRecord>(record: R): R | null {
    let current: R | null = record;
    for (const stage of this.stages) {
      if (current === null) return null;
      if (stage.predicate && stage.predicate.test(current) === stage.negate) continue;
      current = stage.transform.apply(current);
    }
    return current;
  }

  close(): void {
    for (const s of this.stages) {
      try {
        s.transform.close?.();
        s.predicate?.close?.();
      } catch {
        // closing is best effort; a failing close must not keep the others open
      }
    }
  }
}
