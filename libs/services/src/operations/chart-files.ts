import type { RenderedChart } from '@testio-mcp/charts';
import { InvalidInputError } from '@testio-mcp/domain';
import type { ServiceContext } from '../context.js';

/**
 * A query_metrics chart saved in the export directory (`chart_file`), for clients that hand images to
 * the model without showing them: the person gets a file to open. Same rules as the report's export
 * (relative names only, nothing outside, symlinks refused), and an existing file is never replaced.
 */
export function createChartFileOperations(ctx: ServiceContext) {
  async function saveChartFile(
    name: string,
    chart: Pick<RenderedChart, 'format' | 'body'>,
  ): Promise<{ path: string; size_bytes: number }> {
    const writer = ctx.reportFiles;
    if (!writer) {
      throw new InvalidInputError({
        field: 'chart_file',
        message: 'This server cannot save charts to files',
        reason: 'No export directory is configured',
        hint: 'Leave chart_file out; the chart is in the answer',
      });
    }
    const [written] = await writer.write({
      // 'q2/rejections.png' and 'q2/rejections' name the same file.
      relativeBase: name.trim().replace(/\.(png|svg)$/i, ''),
      overwrite: false,
      field: 'chart_file',
      files: [{ suffix: `.${chart.format}`, content: chart.body }],
    });
    if (!written) throw new Error('the export writer wrote no file');
    return { path: written.path, size_bytes: written.sizeBytes };
  }
  return { saveChartFile };
}
