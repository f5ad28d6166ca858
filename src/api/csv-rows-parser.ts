import type { FastifyInstance } from "fastify";
import { parse as parseCsvRecords } from "csv-parse/sync";

/** Raw rows may come as CSV (a header row, then one row per sample): they become {rows} as JSON rows would. */
export function acceptCsvRows(app: FastifyInstance, bodyLimit: number): void {
  app.addContentTypeParser("text/csv", { parseAs: "string", bodyLimit }, (_request, body, done) => {
    try {
      done(null, { rows: parseCsvRecords(body as string, { columns: true, bom: true, trim: true, skip_empty_lines: true }) });
    } catch (error) {
      done(Object.assign(new Error(`the CSV does not parse: ${(error as Error).message}`), { statusCode: 400 }), undefined);
    }
  });
}
