import { createQueryOptions, TransportProvider } from "@connectrpc/connect-query";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { session } from "./api/session.js";
import { createRegistryTransport } from "./api/transport.js";
import { rpc } from "./api/methods.js";
import { App } from "./app.js";
import { catalogRequest } from "./pages/catalog.js";
import { parseRoute } from "./router.js";
import { startLive } from "./live/live.js";
import { createResync } from "./live/resync.js";
import "./styles.css";

const queryClient = new QueryClient({
  defaultOptions: {
    // The change stream says when data changed: no refetch on focus, no polling.
    queries: { staleTime: 30_000, refetchOnWindowFocus: false, retry: 1 },
  },
});
const transport = createRegistryTransport(session.token, (message) => session.ask(message || "The server asks who you are."));
// The catalog's one call goes out now, while the page renders.
const firstPage =
  parseRoute(location.pathname).page === "catalog"
    ? queryClient.prefetchQuery(createQueryOptions(rpc.listRegisteredModels, catalogRequest(new URLSearchParams(location.search)), { transport }))
    : Promise.resolve();
// The change stream (a shared worker to start, a stream to open) waits for the first page's answer:
// it would compete with it for the CPU, and a change committed meanwhile is not lost: the stream's
// start reloads whatever was read before its first revision (createResync).
void firstPage.then(() =>
  setTimeout(() =>
    startLive({
      token: session.token,
      onTokenChange: (listener) => session.subscribe(listener),
      onSignedOut: (message) => session.ask(message || "The server asks who you are."),
      onResync: createResync(queryClient),
    }),
  ),
);
// Signing in resumes: everything shown is read again with the new token.
let token = session.token();
session.subscribe(() => {
  if (session.token() === token) return;
  token = session.token();
  void queryClient.invalidateQueries();
});

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <TransportProvider transport={transport}>
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </TransportProvider>
  </StrictMode>,
);
