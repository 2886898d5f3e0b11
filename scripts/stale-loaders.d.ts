export declare function importClosure(file: string): string[];
export declare function invalidateStaleLoaderOutputs(root: string): { output: string; because: string }[];
