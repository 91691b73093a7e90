// Tests assert on logger calls through spies; the JSON lines themselves would only be noise.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
