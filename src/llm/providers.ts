import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { Embeddings } from '@langchain/core/embeddings';
import { ChatOllama, OllamaEmbeddings } from '@langchain/ollama';
import { ChatOpenAI, OpenAIEmbeddings } from '@langchain/openai';
import type { Config } from '../config.ts';
import { UpstreamError } from '../errors.ts';
import type { IdentifiedEmbeddings } from '../search/store.ts';

/**
 * Model servers through LangChain: any OpenAI-compatible endpoint (vLLM, Xinference, DeepSeek- or
 * DashScope-compatible gateways) or Ollama. Both are optional and off by default.
 */
export function createChatModel(config: Config): BaseChatModel | undefined {
  const model = config.LLM_MODEL;
  if (config.LLM_PROVIDER === 'none' || !model) return undefined;
  if (config.LLM_PROVIDER === 'ollama') {
    return new ChatOllama({ model, baseUrl: config.LLM_BASE_URL ?? 'http://127.0.0.1:11434', temperature: 0 });
  }
  return new ChatOpenAI({
    model,
    apiKey: config.LLM_API_KEY ?? 'not-needed',
    configuration: { baseURL: config.LLM_BASE_URL },
    temperature: 0,
    maxRetries: 0,
  });
}

/**
 * A neural embedder that records what it is (provider, model, dimensions) for the index manifest, so
 * switching models rebuilds the index, and that fails clearly when the server's vectors change size.
 */
export class ProviderEmbeddings implements IdentifiedEmbeddings {
  readonly id: string;
  private dimensions?: number;

  constructor(
    private readonly inner: Embeddings,
    readonly provider: string,
    readonly model: string,
  ) {
    this.id = `${provider}:${model}`;
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    const vectors = await this.call(() => this.inner.embedDocuments(texts));
    vectors.forEach((v) => this.check(v));
    return vectors;
  }

  async embedQuery(text: string): Promise<number[]> {
    const v = await this.call(() => this.inner.embedQuery(text));
    this.check(v);
    return v;
  }

  /** The size the index was built with; later vectors of another size are an error. */
  expectDimensions(n: number): void {
    this.dimensions = n;
  }

  private check(v: number[]): void {
    if (!Array.isArray(v) || v.length === 0) throw new UpstreamError(this.provider, `model ${this.model} returned an empty vector`);
    if (this.dimensions === undefined) this.dimensions = v.length;
    else if (v.length !== this.dimensions) {
      throw new UpstreamError(
        this.provider,
        `model ${this.model} returned ${v.length}-dimensional vectors but the index holds ${this.dimensions}; rebuild the index (npm run index)`,
      );
    }
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof UpstreamError) throw err;
      const status = (err as { status?: number })?.status;
      throw new UpstreamError(this.provider, `embedding request failed: ${(err as Error)?.message ?? String(err)}`, status, { cause: err });
    }
  }
}

export function createEmbeddings(config: Config): ProviderEmbeddings | undefined {
  const model = config.EMBEDDINGS_MODEL;
  if (config.EMBEDDINGS_PROVIDER === 'local' || !model) return undefined;
  if (config.EMBEDDINGS_PROVIDER === 'ollama') {
    return new ProviderEmbeddings(
      new OllamaEmbeddings({ model, baseUrl: config.EMBEDDINGS_BASE_URL ?? 'http://127.0.0.1:11434' }),
      'ollama',
      model,
    );
  }
  return new ProviderEmbeddings(
    new OpenAIEmbeddings({
      model,
      apiKey: config.EMBEDDINGS_API_KEY ?? config.LLM_API_KEY ?? 'not-needed',
      configuration: { baseURL: config.EMBEDDINGS_BASE_URL },
      maxRetries: 0,
      // Plain floats: every OpenAI-compatible server (vLLM, Xinference, Ollama) sends them, while the
      // SDK's default base64 is misread from a server that ignores the request for it.
      encodingFormat: 'float',
    }),
    'openai',
    model,
  );
}
