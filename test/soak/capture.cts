// What the soak scans for secrets: everything n8n and the nodes log while the soak runs (n8n-workflow's LoggerProxy,
// n8n-core's DI Logger that nodes reach as `this.logger`, and the console), plus a scanner that finds the access
// token or any raw identifier in a text.
import { LoggerProxy } from 'n8n-workflow';

export interface LogCapture {
	lines: string[];
	restore(): void;
}

function render(level: string, args: unknown[]): string {
	return `${level} ${args.map((a) => (typeof a === 'string' ? a : safeJson(a))).join(' ')}`;
}

function safeJson(v: unknown): string {
	try {
		return JSON.stringify(v, (_k, x: unknown) => (x instanceof Error ? { message: x.message, stack: x.stack, ...(x as object) } : x)) ?? String(v);
	} catch {
		return String(v);
	}
}

/** A logger whose every method (error, warn, info, debug, scoped, …) records its arguments. */
function recordingLogger(lines: string[]): Record<string, (...args: unknown[]) => unknown> {
	const logger: Record<string, (...args: unknown[]) => unknown> = new Proxy(
		{},
		{
			get: (_t, level: string) =>
				level === 'scoped'
					? () => logger
					: (...args: unknown[]) => {
							lines.push(render(level, args));
						},
		},
	);
	return logger;
}

/** Starts recording n8n's logs; `restore` puts the console back (n8n's loggers stay recording, harmlessly). */
export function captureN8nLogs(echo: (line: string) => void = () => {}): LogCapture {
	const lines: string[] = [];
	const logger = recordingLogger(lines);
	LoggerProxy.init(logger as never);
	// n8n-core's own DI container (it has a nested @n8n/di) serves `this.logger` to nodes.
	const from = { paths: [require.resolve('n8n-core')] };
	const { Container } = require(require.resolve('@n8n/di', from)) as { Container: { set(t: unknown, v: unknown): void } };
	const { Logger } = require(require.resolve('@n8n/backend-common', from)) as { Logger: unknown };
	Container.set(Logger, logger);
	const original = { log: console.log, info: console.info, warn: console.warn, error: console.error, debug: console.debug };
	for (const level of Object.keys(original) as Array<keyof typeof original>) {
		console[level] = (...args: unknown[]) => {
			const line = render(`console.${level}`, args);
			lines.push(line);
			echo(line);
		};
	}
	return {
		lines,
		restore() {
			Object.assign(console, original);
		},
	};
}

export interface SecretSet {
	token: string;
	/** Raw emails as given and as normalized (lower-case, trimmed). */
	emails: Set<string>;
	/** Raw phone numbers reduced to their digits, as given and as normalized. */
	phoneDigits: Set<string>;
	/** A marker every raw email's local part carries: any occurrence is a leak, even of a partial value. */
	emailMarker: string;
}

const EMAILISH = /[^\s"'<>(),;\\[\]{}]+@[^\s"'<>(),;\\[\]{}]+/g;
const PHONEISH = /\+?\d[\d ()-]{5,}\d/g;

/** Leaks found in one text: each is a short label, never the secret itself. */
export function findSecrets(text: string, secrets: SecretSet, where: string): string[] {
	const found: string[] = [];
	if (secrets.token && text.includes(secrets.token)) found.push(`${where}: access token`);
	if (text.includes(secrets.emailMarker)) found.push(`${where}: raw email marker`);
	for (const m of text.match(EMAILISH) ?? []) {
		if (secrets.emails.has(m.trim().toLowerCase())) found.push(`${where}: raw email`);
	}
	for (const m of text.match(PHONEISH) ?? []) {
		const digits = m.replace(/\D/g, '');
		if (secrets.phoneDigits.has(digits) || secrets.phoneDigits.has(digits.replace(/^0+/, ''))) found.push(`${where}: raw phone`);
	}
	return found;
}
