export declare const OFFLINE_VERSION: string;
export declare function frameworkClientNpmImports(): string[];
export declare function seedNpmVersionCache(root: string): string[];
