export { CohereReranker, type CohereRerankerOptions } from './cohere-reranker';
