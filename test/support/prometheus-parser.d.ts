// parse-prometheus-text-format ships no types: what the e2e test reads of its output (prom2json's shape).
declare module "parse-prometheus-text-format" {
	interface Sample {
		labels?: Record<string, string>;
		value?: string;
		buckets?: Record<string, string>;
		count?: string;
		sum?: string;
	}
	interface MetricFamily {
		name: string;
		help: string;
		type: "COUNTER" | "GAUGE" | "HISTOGRAM" | "SUMMARY" | "UNTYPED";
		metrics: Sample[];
	}
	export default function parsePrometheusTextFormat(text: string): MetricFamily[];
}
