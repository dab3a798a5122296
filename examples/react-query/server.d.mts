export type ExampleServer = {
	/** `http://127.0.0.1:<port>/` */
	url: string;
	/** Forgets the injected faults and the request log. */
	reset(): void;
	close(): Promise<void>;
};
export function buildExample(): Promise<string>;
export function startExampleServer(options?: { port?: number; host?: string; apiDelayMs?: number; renewDelayMs?: number }): Promise<ExampleServer>;
