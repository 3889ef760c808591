/** Version reported by `GET /` and plugin listings. */
export const SLUICE_VERSION = '0.1.0';
