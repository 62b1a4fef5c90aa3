import { TransportProvider } from "@connectrpc/connect-query";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { session } from "./api/session.js";
import { createRegistryTransport } from "./api/transport.js";
import { App } from "./app.js";
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

startLive({
  token: session.token,
  onTokenChange: (listener) => session.subscribe(listener),
  onSignedOut: (message) => session.ask(message || "The server asks who you are."),
  onResync: createResync(queryClient),
});
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
