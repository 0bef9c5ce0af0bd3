import { Security, Controller, Get, Path, Response, Route, Tags } from '@tsoa/runtime';
import { getFeatureSummaryInputSchema, parseInput, type Services } from '@testio-mcp/services';
import type { ErrorBody } from '../dto/error.js';
import type { Id } from '../dto/params.js';
import type { FeatureSummaryResponse } from '../dto/summaries.js';

@Route('api/features')
@Security('bearer')
@Security('apiKey')
@Tags('Discovery')
@Response<ErrorBody>(401, 'Missing or invalid API key')
@Response<ErrorBody>(429, 'Rate limit exceeded (see Retry-After)')
export class FeaturesController extends Controller {
  constructor(private readonly services: Services) {
    super();
  }

  /**
   * One catalogue feature: description, how to find it, user stories, test and bug counts. The same
   * answer as the MCP tool `get_feature_summary`.
   * @summary Feature summary (get_feature_summary)
   * @param feature_id Catalogue feature id (from list_features or get_bug_summary.feature.id).
   */
  @Get('{feature_id}/summary')
  @Response<ErrorBody>(404, 'No such feature')
  @Response<ErrorBody>(422, 'feature_id is not a positive integer')
  public async getFeatureSummary(@Path() feature_id: Id): Promise<FeatureSummaryResponse> {
    return this.services.getFeatureSummary(
      parseInput(getFeatureSummaryInputSchema, { feature_id }, 'get_feature_summary'),
    );
  }
}
