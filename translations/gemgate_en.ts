<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>QObject</name>
    <message>
        <source>Could not start the gateway: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gemgate::AddKeyDialog</name>
    <message>
        <source>Add upstream key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a Gemini API key. The key is kept in the store you choose, never in the config file or GemGate&apos;s database.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>letters, digits, &apos;-&apos;, &apos;_&apos; or &apos;.&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Id:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>optional: a name to recognise the key by</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Label:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the key from Google AI Studio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API &amp;key:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OS keychain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>File (owner-only)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Store in:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The share of requests this key gets under the weighted strategy.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Weight:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>optional: the Google Cloud project (default: the id)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keys of one Google Cloud project share its quota; name the project so that GemGate counts their requests together.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Project:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A key with the id &quot;%1&quot; already exists.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved in %1, readable by you only (mode 0600). Use this where no keychain runs.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved in the desktop keychain (Secret Service: GNOME Keyring or KWallet), entry &quot;%1&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gemgate::BulkKeyDialog</name>
    <message>
        <source>Add many keys</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paste any text that contains Gemini API keys (AIza… or AQ.…): a list, a .env file, a spreadsheet column. Each key is found once; keys already in the pool are left out. Check them against Gemini, then add the ones you pick.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Text with keys</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paste here</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keys found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Result</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Details</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OS keychain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>File (owner-only)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Store in:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New keys get the ids &lt;prefix&gt;-1, &lt;prefix&gt;-2, … (the first free numbers).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Ids start with:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Check keys</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Add selected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not checked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Valid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Invalid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Suspended or blocked (403)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rate-limited this minute</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Out of today&apos;s quota</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Network error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Other error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot check: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Found %n new key(s)</source>
        <translation>
            <numerusform>Found %n new key</numerusform>
            <numerusform>Found %n new keys</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n repeated</source>
        <translation>
            <numerusform>%n repeated</numerusform>
            <numerusform>%n repeated</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n already in the pool</source>
        <translation>
            <numerusform>%n already in the pool</numerusform>
            <numerusform>%n already in the pool</numerusform>
        </translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>&amp;Add %n selected</source>
        <translation>
            <numerusform>&amp;Add %n selected</numerusform>
            <numerusform>&amp;Add %n selected</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Adding %n key(s)…</source>
        <translation>
            <numerusform>Adding %n key…</numerusform>
            <numerusform>Adding %n keys…</numerusform>
        </translation>
    </message>
    <message>
        <source>Added as %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Added %n key(s).</source>
        <translation>
            <numerusform>Added %n key.</numerusform>
            <numerusform>Added %n keys.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Added %n key(s); not added: %1</source>
        <translation>
            <numerusform>Added %n key; not added: %1</numerusform>
            <numerusform>Added %n keys; not added: %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Gemini accepted the key (models list call)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (left out: %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>, </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1. %2.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gemgate::ClientDialog</name>
    <message>
        <source>Requests per minute:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Concurrent requests:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens per minute:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens per day:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens per month:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests per day:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests per month:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Input tokens per request:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output tokens per request:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit client %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Issue a client key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a person or an app, e.g. alice or ci-bot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>optional</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Owner:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A team or app whose clients share the namespace&apos;s limits and usage.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name&amp;space:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>never</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Expires in:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>all models; or e.g. gemini-2.5-*, gemini-2.5-flash</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Models:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Limits (empty: the config&apos;s limits.clients / limits.client_default)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>any address; or e.g. 10.0.0.0/8, 192.168.1.20</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Allow from:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Deny from:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Issue key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 expects a whole number, got “%2”</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gemgate::ClientsPage</name>
    <message>
        <source>Issued client keys</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Namespace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests today</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens today</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests this month</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens this month</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expires</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Admitted requests today / the daily quota (limits.time_zone&apos;s day)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens this calendar month / the monthly quota</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Issue key…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A new client key for a person or an app; it is shown once</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Namespace, limits and IP rules of the client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Turn off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A client turned off gets 403</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rotate key…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A new key for the client; the old one stops working at once</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The client&apos;s key stops working for good</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expired</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>On</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>never</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No client keys issued yet. Issue one for each person or app that uses the gateway.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Turn on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not issue a key: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Issued a key for %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not save %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Turned %1 on.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Turned %1 off.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not change %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rotate key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give the client a new key? Its current key stops working at once.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not rotate the key: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New key for %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove the client? Its key stops working for good; its usage records stay.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Removed the client.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not remove the client: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gemgate::Clipboard</name>
    <message>
        <source>Copied</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gemgate::DashboardPage</name>
    <message>
        <source>Show the last:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>5 minutes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>15 minutes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>60 minutes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Charts show the last %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests per second</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>req/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Answered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client errors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refused by policy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Upstream errors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Latency</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>p50</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>p95</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>p99</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>First byte p50</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens per minute</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tokens/min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Input</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Thinking</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Upstream requests per key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connections and streams</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client connections</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Streams</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Since start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Errors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Active connections</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Active streams</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prompt tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>other keys</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gemgate::IssuedKeyDialog</name>
    <message>
        <source>Client key for %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This is the only time the key is shown: GemGate keeps only its hash. Give it to %1 now; programs send it as their Gemini API key (x-goog-api-key).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The new client key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gemgate::KeyNoteDialog</name>
    <message>
        <source>Note for key %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. billing on, from Alice&apos;s project</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Note:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>comma-separated, e.g. paid, team-b</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Tags:</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gemgate::KeysPanel</name>
    <message>
        <source>back in %1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>back in %1 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>back at %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>written in the config file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OS keychain (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>file %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>environment variable %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>rpm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tpm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>rpd</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cooling down, %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no limit set</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>all models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Project</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Budget</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Today</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In flight</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The tightest budget of any model: used / limit in the current minute (rpm: requests, tpm: input tokens) and since midnight Pacific time (rpd: requests).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests / tokens since midnight Pacific time.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests this key is serving right now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add key…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a Gemini API key; its secret goes to the OS keychain or an owner-only file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove a key added here, and its stored secret. Keys from the config file are removed in the config file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Turn on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Let the key take requests again (also clears a disable after an upstream error).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Turn off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop sending requests with this key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Test</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the key now with a models list call.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ready</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cooling down</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>At limit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No secret</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>within limits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unlimited</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Secret: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weight: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tags: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Added in this window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Defined in the config file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keys of one Google Cloud project share its quotas.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expected back at %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GemGate re-checks the key on a schedule; Test checks it now, Turn on clears the disable.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disabled by the pool: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No requests counted yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 requests and %2 tokens since midnight Pacific time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>At %1:
%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last success: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not add key %1: the gateway is gone.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Adding key %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Added key %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not add key %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove the key &quot;%1&quot; from GemGate and delete its stored secret?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Removing key %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Removed key %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not remove key %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not turn key %1 on: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not turn key %1 off: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Turned key %1 on.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Turned key %1 off.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Testing key %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Upstream keys</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last 24 h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests per hour over the last 24 hours; the errors among them in red.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add many…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paste text with many keys: GemGate finds them, checks each against Gemini and adds the ones you pick.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Note…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A note and tags for the key, for your own records.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Added %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Added %1; not added: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 requests, %2 errors in the last 24 hours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not save the note of %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved the note of %1.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gemgate::LogsPage</name>
    <message>
        <source>–</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last 15 minutes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last hour</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Everything kept</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Range:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>any</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Client:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Key:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Model:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Status:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Error:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Errors only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Live</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show new requests as they finish</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Latency ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens in / out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a request to see its details.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Request details</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Errors in the range</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Click one to show only its requests</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Newest</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Older</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 × %2, last %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No requests match.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Page %1: %n request(s)</source>
        <translation>
            <numerusform>Page %1: %n request</numerusform>
            <numerusform>Page %1: %n requests</numerusform>
        </translation>
    </message>
    <message>
        <source>Request id:   %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time:         %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Route:        %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status:       %1%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (stream)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client:       %1 (namespace %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model:        %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key:          %1 (attempts: %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Latency:      %1 ms, first byte after %2 ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens:       %1 in (%2 cached), %3 out, %4 thinking, %5 total</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bytes:        %1 in, %2 out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error:        %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cut short:    a token quota ran out during the stream</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Admitted:     no (refused before the client&apos;s quotas counted it)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Errors in the range, by kind</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gemgate::MainWindow</name>
    <message>
        <source>GemGate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dashboard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Live traffic and the quota left today</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keys</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The upstream Gemini API keys</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The address and key your programs use, and the admin API</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gateway messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What the gateway reported: starts, stops, reloads, problems</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gateway</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy the URL, for your SDK&apos;s base URL setting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Listening on:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy the client key, for your SDK&apos;s API key setting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client key:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The admin listener: /metrics, /health and /ready, and the admin API (/api/...), which asks for the admin token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Admin API:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send it as “Authorization: Bearer &lt;token&gt;”. It comes from admin.token in the config file or, when that is empty, is generated on first run into an owner-only file (admin.token_file).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy the admin token, for scripts and tools that call the admin API</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Admin token:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Config file:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Upstream keys:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GemGate is still running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The gateway keeps running in the tray. Use the tray menu to quit.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Draining</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not listening</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(built-in configuration)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hide</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>–</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>None in the config file (auth.client_keys): programs need a key issued with “gemgate clients add” or a JWT.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Authentication is off: any program on this computer can use this gateway without a key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Authentication is off: anyone who can reach %1 can use this gateway without a key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Off (admin.enabled is false in the config file)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Off (the admin listener could not start; see Messages)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>None: the admin API is off (see Messages).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>0 (add one on the Keys page with Add key…, or gemini.api_keys in the config file; requests get 503 until then)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 available</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 cooling down</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 disabled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>, </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disabled counts keys that are turned off, keys Gemini refused and keys whose secret could not be loaded; the Keys page tells them apart.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The client keys GemGate issued, and their use against their quotas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Logs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every request, with its timings, tokens and error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Usage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests and tokens per day or hour, by client, namespace, key or model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The config file, its history, and the window&apos;s preferences</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gemgate::Notifier</name>
    <message>
        <source>tokens per day</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>requests per day</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tokens per month</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>requests per month</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A key is disabled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every key is cooling down</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A client reaches 80% or 100% of a quota</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The gateway stops unexpectedly</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The gateway stopped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The gateway stopped: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests wait or fail until a key is back.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests wait or fail until a key is back, the first at %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has used %2% of its %3 (%4 of %5).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The certificate %1 (%2) expired on %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The certificate %1 (%2) expires on %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n key(s) disabled</source>
        <translation>
            <numerusform>%n key disabled</numerusform>
            <numerusform>%n keys disabled</numerusform>
        </translation>
    </message>
    <message>
        <source>Every upstream key is cooling down</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client quotas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GemGate stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>and %n more</source>
        <translation>
            <numerusform>and %n more</numerusform>
            <numerusform>and %n more</numerusform>
        </translation>
    </message>
    <message>
        <source>A certificate is about to expire or cannot be renewed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not get a certificate for %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Certificate</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gemgate::QuotaPanel</name>
    <message>
        <source>%1 / %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quota left today</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quota left today, per key and model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resets in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Runs out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>When the daily limit runs out at the rate of the last minute</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No budgets yet: a key x model appears here once it has served a request or has a limit in the config (gemini.api_keys[].limits, gemini.projects).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>under a minute</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n min</source>
        <translation>
            <numerusform>%n min</numerusform>
            <numerusform>%n min</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no daily limit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>used up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not at this rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not before the reset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>at %1 (in %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(no model)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RPD</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RPM</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TPM</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests today (since midnight Pacific time) / the daily limit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests in the last minute / the per-minute limit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Input tokens in the last minute / the per-minute limit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clients&apos; use today against their daily quotas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests today</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens today</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gemgate::SettingsForm</name>
    <message>
        <source>Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse for %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Listener</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Listen address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>127.0.0.1 serves this machine only; 0.0.0.0 or :: opens GemGate to the network.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>any free port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Worker threads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>one per core</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Most connections</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Address:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Port:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Workers:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Most &amp;connections:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HTTPS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Serve &amp;HTTPS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Certificate file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>empty: a self-signed certificate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Private key file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>C&amp;ertificate:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Private &amp;key:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Certificates from an ACME CA are set in the config file (server.tls.acme).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Authentication</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clients must present a &amp;key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests per minute per client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unlimited</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Allowed addresses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>every address; e.g. 10.0.0.0/8, ::1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refused addresses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests/min per &amp;client:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A&amp;llowed addresses:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Refused addresses:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Upstream keys</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key choice</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Round robin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fewest requests in flight</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Most quota left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weighted random</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sticky per session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retries on another key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Health check of resting keys, seconds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>never</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key &amp;choice:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retries on &amp;another key:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re-check &amp;resting keys every:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client quotas and gateway limits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens per day per client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests per day per client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests per minute, whole gateway</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time zone of days and months</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>UTC, local or an IANA name such as Asia/Shanghai</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Tokens per day per client:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re&amp;quests per day per client:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests per minute, &amp;whole gateway:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Days and months in time &amp;zone:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Logging</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Access log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Standard output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Access log file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log level</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Debug</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Info</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log request and response &amp;bodies (for debugging; redacted)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Access &amp;log:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log &amp;file:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Le&amp;vel:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OpenAI-compatible API</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Serve /v1/chat/completions, /v1/embeddings and /v1/models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send thoughts as reasoning_content (for clients that show them)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model aliases: a model name a client asks for, and the Gemini model it gets.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model aliases</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client asks for</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gemini model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add alias</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove alias</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gemgate::SettingsPage</name>
    <message>
        <source>Config file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>History</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The config in force. Secrets show as placeholders; leave them as they are to keep the secret. Apply checks the text, writes the file and swaps it in without a restart.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Config file text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Problems in the config text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Apply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revert</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Throw the edits away and show the config in force</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Config versions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Applied</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>By</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Comment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a version to see how it differs from the config in force.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Differences</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Roll back to this version…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Roll back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Apply this version again? It becomes a new version in the history.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The system&apos;s language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A new language applies when GemGate starts again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The window&apos;s language is saved; it applies when GemGate starts again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start GemGate in the tray when I log in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Desktop notifications</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GemGate runs from a built-in configuration, not a file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start the gateway to edit its config.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (in force)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not applied: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Applied as version %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Applied as version %1, but: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This is the version in force.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From the config in force (-) to version %1 (+):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not roll back: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rolled back to version %1 (now version %2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>General</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write the changed fields into the config file (its comments and other lines stay) and swap it in without a restart</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Throw the changes away and show the settings in force</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not applied: %1 (see the Config file tab)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HTTPS is off.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the ACME certificate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the certificate file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a self-signed certificate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Serving %1 for %2, issued by %3, valid until %4.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ACME: ordering a certificate now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ACME: the last order failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ACME: next renewal %1.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gemgate::TrayIcon</name>
    <message>
        <source>Running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Draining</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop gateway</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopping gateway…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start gateway</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GemGate could not start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GemGate: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no key can take a request</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no key can take a request: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n key(s) cooling down</source>
        <translation>
            <numerusform>%n key cooling down</numerusform>
            <numerusform>%n keys cooling down</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n key(s) at a limit</source>
        <translation>
            <numerusform>%n key at a limit</numerusform>
            <numerusform>%n keys at a limit</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n key(s) disabled by Gemini</source>
        <translation>
            <numerusform>%n key disabled by Gemini</numerusform>
            <numerusform>%n keys disabled by Gemini</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n key(s) without their secret</source>
        <translation>
            <numerusform>%n key without its secret</numerusform>
            <numerusform>%n keys without their secret</numerusform>
        </translation>
    </message>
    <message>
        <source>, </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy base URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy client key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Notifications</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start at login</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start GemGate in the tray when you log in</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gemgate::UsagePage</name>
    <message>
        <source>&amp;Group by:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Namespace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Per:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Day</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hour</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Range:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Chart:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Usage chart</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Usage table</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last 48 hours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last 90 days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export usage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(none)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Errors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Input tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Thinking tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Total tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>other</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>requests</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No usage in this range</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
