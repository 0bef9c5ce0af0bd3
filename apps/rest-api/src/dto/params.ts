/**
 * Parameter types with their validation in JSDoc: tsoa documents them in the OpenAPI spec and checks
 * them before a controller runs (a mismatch is a 422 listing the fields). The services' zod schemas
 * still parse every argument afterwards, exactly as for the MCP tools.
 */

/**
 * A positive whole-number id.
 * @isInt
 * @minimum 1
 * @example 598
 */
export type Id = number;

/**
 * Page number, 1-based.
 * @isInt
 * @minimum 1
 * @example 1
 */
export type PageNumber = number;

/**
 * Items to skip, ADDED to the page offset: items start at offset + (page - 1) * per_page.
 * @isInt
 * @minimum 0
 * @example 0
 */
export type Offset = number;

/**
 * Items per page, 1-200 (default TESTIO_DEFAULT_PAGE_SIZE, 100).
 * @isInt
 * @minimum 1
 * @maximum 200
 * @example 50
 */
export type PageSize = number;

/**
 * Products per page, 1-100 (default 50).
 * @isInt
 * @minimum 1
 * @maximum 100
 * @example 50
 */
export type ProductPageSize = number;

export type SortOrder = 'asc' | 'desc';
