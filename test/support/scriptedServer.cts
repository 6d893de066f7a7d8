// A tiny local HTTP server that answers each request with the next scripted reply: for transport tests that need
// exact control of TikTok-like answers (the emulator covers realistic behavior).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type ScriptedReply =
	| { status?: number; json: unknown }
	| { status: number; text: string }
	| { reset: true };

export interface SeenRequest {
	method: string;
	url: string;
	headers: http.IncomingHttpHeaders;
	body: string;
}

export interface ScriptedServer {
	url: string;
	seen: SeenRequest[];
	script(...replies: ScriptedReply[]): void;
	close(): Promise<void>;
}

export async function startScriptedServer(): Promise<ScriptedServer> {
	const queue: ScriptedReply[] = [];
	const seen: SeenRequest[] = [];
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
			const reply = queue.shift() ?? { status: 500, text: 'no scripted reply left' };
			if ('reset' in reply) {
				req.socket.destroy();
				return;
			}
			if ('json' in reply) {
				res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
				res.end(JSON.stringify(reply.json));
			} else {
				res.writeHead(reply.status, { 'content-type': 'text/html' });
				res.end(reply.text);
			}
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		seen,
		script: (...replies) => queue.push(...replies),
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
