import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import type { paths } from '../../api/schema';
import { useOrgKey } from '../../app/me';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type Body<T> = T extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;

export type TransactionPage = Json<paths['/api/v1/transactions']['get']['responses'][200]>;
export type Transaction = TransactionPage['items'][number];
export type Totals = TransactionPage['totals'];
export type TransactionQuery = Omit<NonNullable<paths['/api/v1/transactions']['get']['parameters']['query']>, 'cursor' | 'limit' | 'personaId'>;
export type ManualEntry = Body<paths['/api/v1/transactions']['post']>;
export type LedgerImport = Json<paths['/api/v1/ledger/imports']['post']['responses'][201]>;
export type Revenue = Json<paths['/api/v1/ledger/revenue']['get']['responses'][200]>;
export type Rate = Json<paths['/api/v1/exchange-rates']['get']['responses'][200]>['items'][number];
export type RateInput = Body<paths['/api/v1/exchange-rates']['put']>['rates'][number];
export type BillingProfile = Json<paths['/api/v1/personas/{id}/billing']['get']['responses'][200]>;
export type BillingInput = Body<paths['/api/v1/personas/{id}/billing']['put']>;
export type CostLine = Json<paths['/api/v1/cost-lines']['get']['responses'][200]>['items'][number];
export type CostInput = Body<paths['/api/v1/cost-lines']['post']>;
export type Statement = Json<paths['/api/v1/statements']['get']['responses'][200]>['items'][number];

const PAGE = 50;

/** Everything the ledger shows depends on rows, rates and the reporting currency: one prefix to refresh. */
function useInvalidateLedger() {
  const key = useOrgKey();
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: key('ledger') });
}

export function useTransactions(personaId: string, query: TransactionQuery) {
  const key = useOrgKey();
  return useInfiniteQuery({
    queryKey: key('ledger', 'transactions', personaId, query),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => unwrap(api.GET('/api/v1/transactions', { params: { query: { personaId, limit: PAGE, ...query, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

export function useCreateTransaction() {
  const invalidate = useInvalidateLedger();
  return useMutation({ mutationFn: (body: ManualEntry) => unwrap(api.POST('/api/v1/transactions', { body })), onSuccess: invalidate });
}

export function useDeleteTransaction() {
  const invalidate = useInvalidateLedger();
  return useMutation({ mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/transactions/{id}', { params: { path: { id } } })), onSuccess: invalidate });
}

export function useImportCsv() {
  const invalidate = useInvalidateLedger();
  return useMutation({
    mutationFn: (body: { personaId: string; platform: string; filename?: string; csv: string }) => unwrap(api.POST('/api/v1/ledger/imports', { body })),
    onSettled: invalidate,
  });
}

export function useImports(personaId: string) {
  const key = useOrgKey();
  return useQuery({ queryKey: key('ledger', 'imports', personaId), queryFn: () => unwrap(api.GET('/api/v1/ledger/imports', { params: { query: { personaId, limit: 10 } } })) });
}

export function useSyncFanvue() {
  const invalidate = useInvalidateLedger();
  return useMutation({ mutationFn: (channelId: string) => unwrap(api.POST('/api/v1/ledger/sync', { body: { channelId } })), onSettled: invalidate });
}

export function useRevenue(personaId: string, from: string, to: string) {
  const key = useOrgKey();
  return useQuery({
    queryKey: key('ledger', 'revenue', personaId, from, to),
    queryFn: () => unwrap(api.GET('/api/v1/ledger/revenue', { params: { query: { personaId, from, to } } })),
    placeholderData: keepPreviousData,
  });
}

export function useSalesSettings() {
  const key = useOrgKey();
  return useQuery({ queryKey: key('ledger', 'settings'), queryFn: () => unwrap(api.GET('/api/v1/sales/settings')) });
}

export function useSetReportingCurrency() {
  const invalidate = useInvalidateLedger();
  return useMutation({ mutationFn: (reportingCurrency: string) => unwrap(api.PUT('/api/v1/sales/settings', { body: { reportingCurrency } })), onSuccess: invalidate });
}

export function useRates() {
  const key = useOrgKey();
  return useQuery({ queryKey: key('ledger', 'rates'), queryFn: () => unwrap(api.GET('/api/v1/exchange-rates')) });
}

export function usePutRates() {
  const invalidate = useInvalidateLedger();
  return useMutation({ mutationFn: (rates: RateInput[]) => unwrap(api.PUT('/api/v1/exchange-rates', { body: { rates } })), onSuccess: invalidate });
}

export function useBillingProfile(personaId: string) {
  const key = useOrgKey();
  return useQuery({ queryKey: key('ledger', 'billing', personaId), queryFn: () => unwrap(api.GET('/api/v1/personas/{id}/billing', { params: { path: { id: personaId } } })) });
}

export function useSaveBillingProfile(personaId: string) {
  const invalidate = useInvalidateLedger();
  return useMutation({ mutationFn: (body: BillingInput) => unwrap(api.PUT('/api/v1/personas/{id}/billing', { params: { path: { id: personaId } }, body })), onSuccess: invalidate });
}

export function useCostLines(personaId: string, month: string) {
  const key = useOrgKey();
  return useQuery({ queryKey: key('ledger', 'costs', personaId, month), queryFn: () => unwrap(api.GET('/api/v1/cost-lines', { params: { query: { personaId, month } } })) });
}

export function useAddCost() {
  const invalidate = useInvalidateLedger();
  return useMutation({ mutationFn: (body: CostInput) => unwrap(api.POST('/api/v1/cost-lines', { body })), onSuccess: invalidate });
}

export function useStatements(personaId: string) {
  const key = useOrgKey();
  return useQuery({ queryKey: key('ledger', 'statements', personaId), queryFn: () => unwrap(api.GET('/api/v1/statements', { params: { query: { personaId } } })) });
}

export function useCreateStatement() {
  const invalidate = useInvalidateLedger();
  return useMutation({ mutationFn: (body: { month: string; personaId: string }) => unwrap(api.POST('/api/v1/statements', { body })), onSuccess: invalidate });
}

/** A stored statement document, fetched with the session (a plain link would carry no token). */
export async function statementDocument(id: string, kind: 'html' | 'pdf'): Promise<Blob> {
  const call = kind === 'html' ? api.GET('/api/v1/statements/{id}/html', { params: { path: { id } }, parseAs: 'blob' }) : api.GET('/api/v1/statements/{id}/pdf', { params: { path: { id } }, parseAs: 'blob' });
  return (await unwrap(call)) as Blob;
}
