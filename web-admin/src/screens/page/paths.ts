

/** The management API path of one page. */
export const pagePath = (id: string) => `/api/v1/manage/pages/${encodeURIComponent(id)}`;
