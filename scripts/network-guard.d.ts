export declare const CDN_HOSTS: readonly string[];
export declare function isLoopback(host: string): boolean;
export declare function isCdn(host: string): boolean;
export declare function installNetworkGuard(name: string, rule: { blocked: (host: string) => boolean; message: (url: string) => string }): void;
