// Everything the emulator remembers between requests. Pure data plus small helpers; behavior lives in routes/.
import { rmSync } from 'node:fs';
import type { EmulatorClock } from './clock.cts';
import type { Rng } from './rng.cts';
import type { Seed, SeedToken } from './seed.cts';

export interface EmulatorConfig {
	seed: number | string;
	/** Requests per second per access token; 0 disables the limiter. */
	qps: number;
	/** Probability (0..1) that a /open_api/ request gets a random fault. */
	faultRate: number;
	/** Fault kinds the random injector picks from. */
	faultKinds: string[];
	/** Share of uploaded identifiers that "match" a TikTok user: cover_num = floor(members * matchRate). */
	matchRate: number;
	/** How long an audience stays is_valid=false (calculating) after create or a data update. */
	processingDelayMs: number;
	/** Delay of the "slow" fault. */
	slowMs: number;
	/**
	 * How long an upload takes in emulator time: once its body is read, the clock moves forward by a seeded draw in
	 * [uploadMinMs, uploadMaxMs] (0 and 0: no time passes). Simulations use it for transfers of realistic length
	 * without waiting for them in real time.
	 */
	uploadMinMs: number;
	uploadMaxMs: number;
	replaceCooldownMs: number;
	fileTtlMs: number;
	maxFileBytes: number;
	eventMaxAgeMs: number;
	eventMaxFutureMs: number;
	dedupWindowMs: number;
}

export interface UploadedFile {
	filePath: string;
	advertiserId: string;
	calculateType: string;
	/** Where the bytes were spooled; they are re-read (streamed) when an audience uses the file. */
	diskPath: string;
	bytes: number;
	rows: number;
	md5: string;
	uploadedAt: number;
}

export interface HistoryEntry {
	action: string;
	action_detail: string;
	msg: string | null;
	atMs: number;
}

export interface Audience {
	audienceId: string;
	advertiserId: string;
	name: string;
	kind: 'CUSTOMER_FILE' | 'PIXEL';
	calculateType: string | null;
	subType: 'NORMAL' | 'REACH_FREQUENCY';
	enhancement: boolean;
	/** Customer-file audiences: the member keys (hashes). Pixel audiences compute theirs from events. */
	members: Set<string>;
	createdAt: number;
	modifiedAt: number;
	retentionInDays?: number;
	/** Calculation finishes at this clock time; until then is_valid=false and cover_num shows coverBeforeReady. */
	readyAt: number;
	coverBeforeReady: number;
	lastReplaceAt?: number;
	history: HistoryEntry[];
	isAutoRefresh: boolean;
	ruleSpec?: Record<string, unknown>;
	pixelIds?: string[];
}

export interface StoredEvent {
	event: string;
	event_id: string | null;
	/** Unix seconds, as sent. */
	event_time: number;
	received_at: number;
	/** The identity used for audience membership: sha256 email, else phone, else external_id. */
	user_key: string | null;
	email: string[];
	phone: string[];
	external_id: string[];
	url: string | null;
	properties: Record<string, unknown>;
}

export interface PixelEvents {
	live: StoredEvent[];
	/** Events sent with test_event_code: kept apart and never counted in audiences. */
	test: StoredEvent[];
}

export interface LogEntry {
	time: string;
	method: string;
	/** Path only: the query string can carry an app secret, so it is never logged. */
	path: string;
	status: number;
	code: number | null;
	request_id: string | null;
	fault?: string;
}

export const LOG_LIMIT = 10_000;

/** An authorization code, as TikTok hands it to the app's redirect URL after an advertiser authorizes the app. */
export interface AuthCode {
	appId: string;
	advertiserIds: string[];
	issuedAt: number;
	used: boolean;
}

/** How long an auth_code can be exchanged: 1 hour (reference §2.2, BUBUBA), once. */
export const AUTH_CODE_TTL_MS = 3_600_000;

export class State {
	files = new Map<string, UploadedFile>();
	audiences = new Map<string, Audience>();
	events = new Map<string, PixelEvents>();
	/** (event_source_id, event_id, event) → receive time, for dedup. Test events use a separate key space. */
	dedup = new Map<string, number>();
	requestLog: LogEntry[] = [];
	faultCounters: Record<string, number> = {};
	fileCounter = 0;
	/** Uploads whose duration was drawn (seeds the draw). */
	uploadCounter = 0;
	audienceCounter = 0;
	/** Codes minted through the inspection API (POST /__emulator/auth_codes). */
	authCodes = new Map<string, AuthCode>();
	/** Long-term tokens the exchange (/oauth2/access_token/) issued, on top of the seeded ones. */
	issuedTokens = new Map<string, SeedToken>();
	authCodeCounter = 0;
	issuedTokenCounter = 0;

	pixelEvents(pixelCode: string): PixelEvents {
		let e = this.events.get(pixelCode);
		if (!e) {
			e = { live: [], test: [] };
			this.events.set(pixelCode, e);
		}
		return e;
	}

	log(entry: LogEntry): void {
		this.requestLog.push(entry);
		if (this.requestLog.length > LOG_LIMIT) this.requestLog.splice(0, this.requestLog.length - LOG_LIMIT);
	}

	countFault(kind: string): void {
		this.faultCounters[kind] = (this.faultCounters[kind] ?? 0) + 1;
	}

	/** A new auth_code: 40 lowercase hex characters, deterministic per reset. */
	mintAuthCode(appId: string, advertiserIds: string[], now: number): string {
		this.authCodeCounter += 1;
		const code = `c0de${this.authCodeCounter.toString(16).padStart(36, '0')}`;
		this.authCodes.set(code, { appId, advertiserIds: [...advertiserIds], issuedAt: now, used: false });
		return code;
	}

	/** A new long-term token granted to these advertisers (shaped like the seeded ones, 40 hex characters). */
	issueToken(advertiserIds: string[]): SeedToken {
		this.issuedTokenCounter += 1;
		const token: SeedToken = {
			access_token: `e0a1a7e5c0de${this.issuedTokenCounter.toString(16).padStart(28, '0')}`,
			expired: false,
			advertiser_ids: [...advertiserIds],
			core_user_id: '7300000000000000001',
			display_name: 'Emulator User',
			email: 'em***@example.com',
		};
		this.issuedTokens.set(token.access_token, token);
		return token;
	}

	nextAudienceId(): string {
		this.audienceCounter += 1;
		return (6900000000000000000n + BigInt(this.audienceCounter)).toString();
	}

	clear(): void {
		for (const f of this.files.values()) rmSync(f.diskPath, { force: true });
		this.files.clear();
		this.audiences.clear();
		this.events.clear();
		this.dedup.clear();
		this.requestLog = [];
		this.faultCounters = {};
		this.fileCounter = 0;
		this.uploadCounter = 0;
		this.audienceCounter = 0;
		this.authCodes.clear();
		this.issuedTokens.clear();
		this.authCodeCounter = 0;
		this.issuedTokenCounter = 0;
	}
}

/** What every handler can reach. */
export interface EmulatorContext {
	state: State;
	clock: EmulatorClock;
	config: EmulatorConfig;
	seed: Seed;
	tokens: Map<string, SeedToken>;
	rng: Rng;
	spoolDir: string;
}
