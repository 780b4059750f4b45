/**
 * Per-project truth for `changes: simple`: the JSON API where the upstream has one
 * (PyPI, a jubjub mirror with `json_api: true`), else the PEP 691 project page.
 *
 * There is no asking an index whether it has a JSON API: a 404 there means "no such
 * project" as well. So a 404 is checked against the project page. A page with files
 * means the index lists a project it has no JSON document for, i.e. it has no JSON API:
 * that page is the answer, and the rest of the run goes to pages directly (one request
 * per project again). A 404 or an empty page means there is nothing to mirror, as the
 * JSON API's 404 does. Re-detected each run, at the price of one extra request per
 * project already in flight when it is found.
 */
import type { Logger } from 'pino';
import type { ProjectMeta } from '../model.js';
import type { JsonApiClient, ProjectSource } from './json-api.js';
import type { SimpleProjectClient } from './simple-project.js';

export class IndexProjectClient implements ProjectSource {
  /** Unknown until a project answers one way or the other. */
  private hasJsonApi: boolean | null = null;

  constructor(
    private readonly json: JsonApiClient,
    private readonly pages: SimpleProjectClient,
    /** Display names the change feed saw in the listing (pages carry normalized names only). */
    private readonly displayNames: ReadonlyMap<string, string>,
    private readonly log: Logger,
  ) {}

  get refusedHosts(): ReadonlySet<string> {
    return new Set([...this.json.refusedHosts, ...this.pages.refusedHosts]);
  }

  async fetchProject(name: string, minSerial: number): Promise<ProjectMeta | null> {
    if (this.hasJsonApi !== false) {
      const meta = await this.json.fetchProject(name, minSerial);
      if (meta) {
        this.hasJsonApi = true;
        return meta;
      }
    }
    const page = await this.pages.fetchProject(name, minSerial, this.displayNames.get(name));
    if (this.hasJsonApi === false) return page;
    if (!page?.releases.some((r) => r.files.length > 0)) return null;
    // An index that served JSON documents for other projects keeps being asked for them.
    if (this.hasJsonApi === null) {
      this.log.info({ project: name }, 'upstream has no JSON API; reading PEP 691 project pages');
      this.hasJsonApi = false;
    }
    return page;
  }
}
