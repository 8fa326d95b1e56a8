import { SetMetadata } from '@nestjs/common';

export const PUBLIC_ROUTE = 'flowflex:public';
export const OPERATOR_ONLY = 'flowflex:operator-only';

/** Served without an API key: health, metrics and the API description. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** Refused (403) to tenant keys when API keys are configured. */
export const OperatorOnly = () => SetMetadata(OPERATOR_ONLY, true);
