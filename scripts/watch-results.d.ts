export declare const RESULTS_LOADERS: string[];
export declare function touchResultsLoaders(root: string, now?: Date): string[];
export declare function watchResults(root: string, results: string, options?: { intervalMs?: number; onTouch?: (touched: string[]) => void }): () => void;
export declare function watchResultsInPreview(root: string, results: string): void;
export declare function resultsSignature(results: string): string;
