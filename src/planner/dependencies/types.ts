/**
 * The dependency closure of `dependencies: true`, in a serializable form: it is stored
 * in the run plan (a resumed run applies the same closure) and in the mirror state
 * (`status` reports what the closure could not reach, and the next run compares).
 */

/** What the closure asks of one project, beyond what its own allow entries say. */
export interface DependencyDemand {
  /** Canonical specifier sets; a release must match one. null: every release. */
  specifiers: string[] | null;
  /** Versions named by `==`/`===` demands: kept like allowlist pins. */
  pins: string[];
  /** Extras demanded of it, normalized. */
  extras: string[];
  /**
   * The first requirement chain that reached it: the allow entry, then one
   * `project version: requirement` step per dependency.
   */
  via: string[];
}

/** A dependency the mirror cannot hold: a deny rule removes it, or the upstream lacks it. */
export interface UnreachableDependency {
  name: string;
  reason: 'denied' | 'missing';
  via: string[];
}

export interface Closure {
  /** Of the filters and targets it was resolved for; equal keys mean equal inputs. */
  key: string;
  /** Every project the closure reached, allowlisted roots included, by normalized name. */
  demands: Record<string, DependencyDemand>;
  unreachable: UnreachableDependency[];
}

/** Requirement texts that could not be read, for a warning (never fatal). */
export interface BadRequirement {
  project: string;
  version: string;
  requirement: string;
  error: string;
}
