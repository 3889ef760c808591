/** Version reported by both S3 plugins; kept in step with package.json. */
export const VERSION = '0.1.0';
