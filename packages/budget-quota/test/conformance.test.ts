import { describeQuotaStoreConformance } from './support/store-conformance.ts';
import { STORE_KINDS, STORE_NAMES, openStore } from './support/stores.ts';

for (const kind of STORE_KINDS) describeQuotaStoreConformance(STORE_NAMES[kind], (quotas) => openStore(kind, quotas));
