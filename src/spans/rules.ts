// The ONE built-in classification table, as plain data. classify.ts reads it in
// process; the collector pipeline turns the same table into OTTL statements for
// spans that arrive from services in other languages. Keep it JSON-shaped
// (strings, arrays, records; no functions, no RegExp objects) so both readers
// stay simple, and keep the order meaningful: earlier entries win.

export type Category = 'llm' | 'embeddings' | 'storage' | 'database' | 'cache' | 'queue' | 'websocket' | 'http' | 'internal';

export const CATEGORIES: readonly Category[] = ['llm', 'embeddings', 'storage', 'database', 'cache', 'queue', 'websocket', 'http', 'internal'];

/** A host rule, in the same syntax users write in CALLSCOPE_SERVICES: `host-glob[:port][/path-prefix]`. */
export interface HostRule {
  match: string;
  service: string;
  category: Category;
}

export const BUILTIN_RULES = {
  /**
   * gen_ai.provider.name / gen_ai.system value -> service id. The service comes from
   * the provider, not the host: an OpenAI client pointed at a proxy is still `openai`.
   */
  genAiProviders: {
    openai: 'openai',
    anthropic: 'anthropic',
    'aws.bedrock': 'aws.bedrock-runtime',
    cohere: 'cohere',
    'gcp.gemini': 'google.gemini',
    'gcp.vertex_ai': 'google.vertex-ai',
    'gcp.gen_ai': 'google.gemini',
    gemini: 'google.gemini',
    vertex_ai: 'google.vertex-ai',
    mistral_ai: 'mistral',
    groq: 'groq',
    deepseek: 'deepseek',
    perplexity: 'perplexity',
    xai: 'xai',
    'azure.ai.openai': 'azure.openai',
    'azure.ai.inference': 'azure.ai-inference',
    ibm_watsonx_ai: 'ibm.watsonx',
  } as Record<string, string>,

  /** gen_ai.operation.name values that mean embeddings; every other operation is llm. */
  embeddingOperations: ['embeddings', 'embedding'],

  /** Model-id prefixes (gen_ai.request.model) that are embedding models, for APIs without an operation name (Bedrock InvokeModel). */
  embeddingModelPrefixes: ['amazon.titan-embed', 'cohere.embed', 'text-embedding', 'embed-', 'voyage-', 'mistral-embed', 'nomic-embed'],

  /**
   * AWS SDK spans (rpc.system=aws-api): rpc.service -> service id and category.
   * Services not listed become `aws.<kebab-case rpc.service>`, category http.
   * Bedrock Runtime is llm unless the model is an embedding model (see above).
   */
  awsServices: {
    BedrockRuntime: { service: 'aws.bedrock-runtime', category: 'llm' },
    Bedrock: { service: 'aws.bedrock', category: 'llm' },
    BedrockAgentRuntime: { service: 'aws.bedrock-agent-runtime', category: 'llm' },
    S3: { service: 'aws.s3', category: 'storage' },
    DynamoDB: { service: 'aws.dynamodb', category: 'database' },
    RDSData: { service: 'aws.rds-data', category: 'database' },
    ElastiCache: { service: 'aws.elasticache', category: 'cache' },
    SQS: { service: 'aws.sqs', category: 'queue' },
    SNS: { service: 'aws.sns', category: 'queue' },
    Kinesis: { service: 'aws.kinesis', category: 'queue' },
    Firehose: { service: 'aws.firehose', category: 'queue' },
    EventBridge: { service: 'aws.eventbridge', category: 'queue' },
    SecretsManager: { service: 'aws.secretsmanager', category: 'http' },
    Lambda: { service: 'aws.lambda', category: 'http' },
  } as Record<string, { service: string; category: Category }>,

  /** db.system / db.system.name -> category (anything else with a db system: database). Service = the db system. */
  dbCategories: { redis: 'cache', memcached: 'cache', valkey: 'cache' } as Record<string, Category>,

  /** messaging.system value -> service id (anything else: the value itself); category is always queue. */
  messagingServices: { aws_sqs: 'aws.sqs', aws_sns: 'aws.sns', kafka: 'kafka', rabbitmq: 'rabbitmq' } as Record<string, string>,

  /** Known hosts. `*.amazonaws.com` is resolved by service prefix (the first label), looked up in awsHostPrefixes. */
  hosts: [
    { match: 'api.openai.com', service: 'openai', category: 'llm' },
    { match: 'api.anthropic.com', service: 'anthropic', category: 'llm' },
    { match: 'api.cohere.com', service: 'cohere', category: 'llm' },
    { match: 'api.cohere.ai', service: 'cohere', category: 'llm' },
    { match: 'generativelanguage.googleapis.com', service: 'google.gemini', category: 'llm' },
    { match: '*-aiplatform.googleapis.com', service: 'google.vertex-ai', category: 'llm' },
    { match: 'api.mistral.ai', service: 'mistral', category: 'llm' },
    { match: 'api.groq.com', service: 'groq', category: 'llm' },
    { match: 'api.deepseek.com', service: 'deepseek', category: 'llm' },
    { match: 'api.x.ai', service: 'xai', category: 'llm' },
    { match: '*.openai.azure.com', service: 'azure.openai', category: 'llm' },
    { match: 'api.voyageai.com', service: 'voyage', category: 'embeddings' },
    { match: '*.pinecone.io', service: 'pinecone', category: 'database' },
    { match: 'storage.googleapis.com', service: 'google.storage', category: 'storage' },
    { match: '*.blob.core.windows.net', service: 'azure.blob', category: 'storage' },
    { match: 'api.stripe.com', service: 'stripe', category: 'http' },
    { match: 'api.github.com', service: 'github', category: 'http' },
    { match: 'hooks.slack.com', service: 'slack', category: 'http' },
    { match: 'slack.com', service: 'slack', category: 'http' },
    { match: 'api.twilio.com', service: 'twilio', category: 'http' },
    { match: 'api.sendgrid.com', service: 'sendgrid', category: 'http' },
  ] as HostRule[],

  /**
   * `<prefix>.<region>.amazonaws.com` and `<bucket>.s3.<region>.amazonaws.com`: first matching label -> service.
   * Hosts under amazonaws.com with no known label become `aws.<first label>`, category http.
   */
  awsHostPrefixes: {
    'bedrock-runtime': { service: 'aws.bedrock-runtime', category: 'llm' },
    bedrock: { service: 'aws.bedrock', category: 'llm' },
    s3: { service: 'aws.s3', category: 'storage' },
    dynamodb: { service: 'aws.dynamodb', category: 'database' },
    sqs: { service: 'aws.sqs', category: 'queue' },
    sns: { service: 'aws.sns', category: 'queue' },
    kinesis: { service: 'aws.kinesis', category: 'queue' },
    lambda: { service: 'aws.lambda', category: 'http' },
  } as Record<string, { service: string; category: Category }>,

  /** Address shapes that are `internal` (service = the host). IPv4 CIDRs and host globs. */
  internal: {
    cidrs: ['127.0.0.0/8', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '100.64.0.0/10'],
    hosts: ['localhost', '*.localhost', '::1', 'fc*', 'fd*', 'fe80:*', '*.internal', '*.local', '*.svc', '*.svc.cluster.local'],
  },

  /** Categories for span attributes that name a protocol without a host rule. */
  websocketSchemes: ['ws', 'wss'],
} as const;

/** Default slow thresholds per category, in ms (design.md). internal uses the http one. */
export const DEFAULT_SLOW_MS: Record<Category, number> = {
  llm: 30000,
  embeddings: 5000,
  http: 3000,
  storage: 3000,
  database: 1000,
  cache: 200,
  queue: 1000,
  websocket: 3000,
  internal: 3000,
};
