/** Types for db-generate.mjs, which stays plain JavaScript so it runs before tsx is involved. */
export declare function generatePrismaClient(): { generated: boolean; ms: number };
