import type { FastifyInstance } from "fastify";
import { parse as parseCsvRecords } from "csv-parse/sync";
import { guessDelimiter } from "../services/csv-delimiter.js";

/**
 * Raw rows may come as CSV (a header row, then one row per sample): they
 * become {rows} as JSON rows would. The delimiter is guessed from the header,
 * as at upload; the cells stay text, read by the model's pipeline (its
 * missing markers, its decimal separator).
 */
export function acceptCsvRows(app: FastifyInstance, bodyLimit: number): void {
  app.addContentTypeParser("text/csv", { parseAs: "string", bodyLimit }, (_request, body, done) => {
    try {
      const text = body as string;
      done(null, { rows: parseCsvRecords(text, { columns: true, bom: true, trim: true, skip_empty_lines: true, delimiter: guessDelimiter(text) }) });
    } catch (error) {
      done(Object.assign(new Error(`the CSV does not parse: ${(error as Error).message}`), { statusCode: 400 }), undefined);
    }
  });
}
