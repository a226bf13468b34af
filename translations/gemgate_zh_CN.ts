<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>QObject</name>
    <message>
        <source>Could not start the gateway: %1</source>
        <translation>无法启动网关：%1</translation>
    </message>
</context>
<context>
    <name>gemgate::AddKeyDialog</name>
    <message>
        <source>Add upstream key</source>
        <translation>添加上游密钥</translation>
    </message>
    <message>
        <source>Add a Gemini API key. The key is kept in the store you choose, never in the config file or GemGate&apos;s database.</source>
        <translation>添加一个 Gemini API 密钥。密钥只保存在你选择的存储位置，绝不会写入配置文件或 GemGate 的数据库。</translation>
    </message>
    <message>
        <source>letters, digits, &apos;-&apos;, &apos;_&apos; or &apos;.&apos;</source>
        <translation>字母、数字、“-”、“_”或“.”</translation>
    </message>
    <message>
        <source>&amp;Id:</source>
        <translation>ID(&amp;I)：</translation>
    </message>
    <message>
        <source>optional: a name to recognise the key by</source>
        <translation>可选：便于辨认该密钥的名称</translation>
    </message>
    <message>
        <source>&amp;Label:</source>
        <translation>名称(&amp;L)：</translation>
    </message>
    <message>
        <source>the key from Google AI Studio</source>
        <translation>从 Google AI Studio 获取的密钥</translation>
    </message>
    <message>
        <source>API &amp;key:</source>
        <translation>API 密钥(&amp;K)：</translation>
    </message>
    <message>
        <source>OS keychain</source>
        <translation>系统钥匙串</translation>
    </message>
    <message>
        <source>File (owner-only)</source>
        <translation>文件（仅所有者可访问）</translation>
    </message>
    <message>
        <source>&amp;Store in:</source>
        <translation>存储位置(&amp;S)：</translation>
    </message>
    <message>
        <source>The share of requests this key gets under the weighted strategy.</source>
        <translation>在加权策略下该密钥分到的请求比例。</translation>
    </message>
    <message>
        <source>&amp;Weight:</source>
        <translation>权重(&amp;W)：</translation>
    </message>
    <message>
        <source>optional: the Google Cloud project (default: the id)</source>
        <translation>可选：所属的 Google Cloud 项目（默认与 ID 相同）</translation>
    </message>
    <message>
        <source>Keys of one Google Cloud project share its quota; name the project so that GemGate counts their requests together.</source>
        <translation>同一 Google Cloud 项目下的密钥共享该项目的配额；填写项目名称后，GemGate 会将这些密钥的请求合并计数。</translation>
    </message>
    <message>
        <source>&amp;Project:</source>
        <translation>项目(&amp;P)：</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <source>A key with the id &quot;%1&quot; already exists.</source>
        <translation>ID 为“%1”的密钥已存在。</translation>
    </message>
    <message>
        <source>Saved in %1, readable by you only (mode 0600). Use this where no keychain runs.</source>
        <translation>保存在 %1，仅你本人可读（权限 0600）。适用于没有运行钥匙串服务的环境。</translation>
    </message>
    <message>
        <source>Saved in the desktop keychain (Secret Service: GNOME Keyring or KWallet), entry &quot;%1&quot;.</source>
        <translation>保存在桌面钥匙串中（Secret Service：GNOME Keyring 或 KWallet），条目为“%1”。</translation>
    </message>
</context>
<context>
    <name>gemgate::BulkKeyDialog</name>
    <message>
        <source>Add many keys</source>
        <translation>批量添加密钥</translation>
    </message>
    <message>
        <source>Paste any text that contains Gemini API keys (AIza… or AQ.…): a list, a .env file, a spreadsheet column. Each key is found once; keys already in the pool are left out. Check them against Gemini, then add the ones you pick.</source>
        <translation>粘贴任何包含 Gemini API 密钥（AIza… 或 AQ.…）的文本：列表、.env 文件或表格中的一列都可以。每个密钥只会识别一次，密钥池中已有的密钥会被略过。先向 Gemini 检测，再添加你勾选的密钥。</translation>
    </message>
    <message>
        <source>Text with keys</source>
        <translation>包含密钥的文本</translation>
    </message>
    <message>
        <source>Paste here</source>
        <translation>粘贴到这里</translation>
    </message>
    <message>
        <source>Keys found</source>
        <translation>找到的密钥</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>密钥</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>OS keychain</source>
        <translation>系统钥匙串</translation>
    </message>
    <message>
        <source>File (owner-only)</source>
        <translation>文件（仅本人可读）</translation>
    </message>
    <message>
        <source>&amp;Store in:</source>
        <translation>存储位置(&amp;S)：</translation>
    </message>
    <message>
        <source>New keys get the ids &lt;prefix&gt;-1, &lt;prefix&gt;-2, … (the first free numbers).</source>
        <translation>新密钥的 ID 依次为 &lt;前缀&gt;-1、&lt;前缀&gt;-2……（取最小的未用编号）。</translation>
    </message>
    <message>
        <source>&amp;Ids start with:</source>
        <translation>ID 前缀(&amp;I)：</translation>
    </message>
    <message>
        <source>&amp;Check keys</source>
        <translation>检测密钥(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Add selected</source>
        <translation>添加所选(&amp;A)</translation>
    </message>
    <message>
        <source>Not checked</source>
        <translation>未检测</translation>
    </message>
    <message>
        <source>Valid</source>
        <translation>有效</translation>
    </message>
    <message>
        <source>Invalid</source>
        <translation>无效</translation>
    </message>
    <message>
        <source>Suspended or blocked (403)</source>
        <translation>已停用或被封禁 (403)</translation>
    </message>
    <message>
        <source>Rate-limited this minute</source>
        <translation>本分钟已限流</translation>
    </message>
    <message>
        <source>Out of today&apos;s quota</source>
        <translation>今日配额已用完</translation>
    </message>
    <message>
        <source>Network error</source>
        <translation>网络错误</translation>
    </message>
    <message>
        <source>Other error</source>
        <translation>其他错误</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>正在检测…</translation>
    </message>
    <message>
        <source>Cannot check: %1</source>
        <translation>无法检测：%1</translation>
    </message>
    <message numerus="yes">
        <source>Found %n new key(s)</source>
        <translation>
            <numerusform>找到 %n 个新密钥</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n repeated</source>
        <translation>
            <numerusform>%n 个重复</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n already in the pool</source>
        <translation>
            <numerusform>%n 个已在密钥池中</numerusform>
        </translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message numerus="yes">
        <source>&amp;Add %n selected</source>
        <translation>
            <numerusform>添加所选的 %n 个(&amp;A)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Adding %n key(s)…</source>
        <translation>
            <numerusform>正在添加 %n 个密钥…</numerusform>
        </translation>
    </message>
    <message>
        <source>Added as %1</source>
        <translation>已添加为 %1</translation>
    </message>
    <message numerus="yes">
        <source>Added %n key(s).</source>
        <translation>
            <numerusform>已添加 %n 个密钥。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Added %n key(s); not added: %1</source>
        <translation>
            <numerusform>已添加 %n 个密钥；未能添加：%1</numerusform>
        </translation>
    </message>
    <message>
        <source>Gemini accepted the key (models list call)</source>
        <translation>Gemini 接受了该密钥（模型列表调用）</translation>
    </message>
    <message>
        <source>%1 (left out: %2)</source>
        <translation>%1（已略过：%2）</translation>
    </message>
    <message>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <source>%1.</source>
        <translation>%1。</translation>
    </message>
    <message>
        <source>%1. %2.</source>
        <translation>%1。%2。</translation>
    </message>
</context>
<context>
    <name>gemgate::ClientDialog</name>
    <message>
        <source>Requests per minute:</source>
        <translation>每分钟请求数：</translation>
    </message>
    <message>
        <source>Concurrent requests:</source>
        <translation>并发请求数：</translation>
    </message>
    <message>
        <source>Tokens per minute:</source>
        <translation>每分钟 Token 数：</translation>
    </message>
    <message>
        <source>Tokens per day:</source>
        <translation>每日 Token 数：</translation>
    </message>
    <message>
        <source>Tokens per month:</source>
        <translation>每月 Token 数：</translation>
    </message>
    <message>
        <source>Requests per day:</source>
        <translation>每日请求数：</translation>
    </message>
    <message>
        <source>Requests per month:</source>
        <translation>每月请求数：</translation>
    </message>
    <message>
        <source>Input tokens per request:</source>
        <translation>单次请求输入 Token 上限：</translation>
    </message>
    <message>
        <source>Output tokens per request:</source>
        <translation>单次请求输出 Token 上限：</translation>
    </message>
    <message>
        <source>Edit client %1</source>
        <translation>编辑客户端 %1</translation>
    </message>
    <message>
        <source>Issue a client key</source>
        <translation>签发客户端密钥</translation>
    </message>
    <message>
        <source>a person or an app, e.g. alice or ci-bot</source>
        <translation>某个人或应用，例如 alice 或 ci-bot</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>名称(&amp;N)：</translation>
    </message>
    <message>
        <source>optional</source>
        <translation>可选</translation>
    </message>
    <message>
        <source>&amp;Owner:</source>
        <translation>负责人(&amp;O)：</translation>
    </message>
    <message>
        <source>A team or app whose clients share the namespace&apos;s limits and usage.</source>
        <translation>团队或应用；同一命名空间下的客户端共享该命名空间的限制和用量统计。</translation>
    </message>
    <message>
        <source>Name&amp;space:</source>
        <translation>命名空间(&amp;S)：</translation>
    </message>
    <message>
        <source>never</source>
        <translation>永不</translation>
    </message>
    <message>
        <source> days</source>
        <translation> 天</translation>
    </message>
    <message>
        <source>&amp;Expires in:</source>
        <translation>有效期(&amp;E)：</translation>
    </message>
    <message>
        <source>all models; or e.g. gemini-2.5-*, gemini-2.5-flash</source>
        <translation>所有模型；或例如 gemini-2.5-*、gemini-2.5-flash</translation>
    </message>
    <message>
        <source>&amp;Models:</source>
        <translation>模型(&amp;M)：</translation>
    </message>
    <message>
        <source>Limits (empty: the config&apos;s limits.clients / limits.client_default)</source>
        <translation>限制（留空：使用配置中的 limits.clients / limits.client_default）</translation>
    </message>
    <message>
        <source>any address; or e.g. 10.0.0.0/8, 192.168.1.20</source>
        <translation>任意地址；或例如 10.0.0.0/8、192.168.1.20</translation>
    </message>
    <message>
        <source>&amp;Allow from:</source>
        <translation>允许来源(&amp;A)：</translation>
    </message>
    <message>
        <source>&amp;Deny from:</source>
        <translation>拒绝来源(&amp;D)：</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Issue key</source>
        <translation>签发密钥</translation>
    </message>
    <message>
        <source>%1 expects a whole number, got “%2”</source>
        <translation>%1 需要填写整数，实际为“%2”</translation>
    </message>
</context>
<context>
    <name>gemgate::ClientsPage</name>
    <message>
        <source>Issued client keys</source>
        <translation>已签发的客户端密钥</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>客户端</translation>
    </message>
    <message>
        <source>Namespace</source>
        <translation>命名空间</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>密钥</translation>
    </message>
    <message>
        <source>Requests today</source>
        <translation>今日请求</translation>
    </message>
    <message>
        <source>Tokens today</source>
        <translation>今日 Token</translation>
    </message>
    <message>
        <source>Requests this month</source>
        <translation>本月请求</translation>
    </message>
    <message>
        <source>Tokens this month</source>
        <translation>本月 Token</translation>
    </message>
    <message>
        <source>Expires</source>
        <translation>过期时间</translation>
    </message>
    <message>
        <source>Admitted requests today / the daily quota (limits.time_zone&apos;s day)</source>
        <translation>今日已准入的请求数 / 每日配额（按 limits.time_zone 的日期计）</translation>
    </message>
    <message>
        <source>Tokens this calendar month / the monthly quota</source>
        <translation>本自然月的 Token 数 / 每月配额</translation>
    </message>
    <message>
        <source>Issue key…</source>
        <translation>签发密钥…</translation>
    </message>
    <message>
        <source>A new client key for a person or an app; it is shown once</source>
        <translation>为某个人或应用签发新的客户端密钥；密钥只显示一次</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <source>Namespace, limits and IP rules of the client</source>
        <translation>客户端的命名空间、限制和 IP 规则</translation>
    </message>
    <message>
        <source>Turn off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>A client turned off gets 403</source>
        <translation>已关闭的客户端会收到 403</translation>
    </message>
    <message>
        <source>Rotate key…</source>
        <translation>轮换密钥…</translation>
    </message>
    <message>
        <source>A new key for the client; the old one stops working at once</source>
        <translation>为客户端生成新密钥；旧密钥立即失效</translation>
    </message>
    <message>
        <source>Remove…</source>
        <translation>移除…</translation>
    </message>
    <message>
        <source>The client&apos;s key stops working for good</source>
        <translation>该客户端的密钥将永久失效</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>已关闭</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>已过期</translation>
    </message>
    <message>
        <source>On</source>
        <translation>已开启</translation>
    </message>
    <message>
        <source>never</source>
        <translation>永不</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>No client keys issued yet. Issue one for each person or app that uses the gateway.</source>
        <translation>尚未签发客户端密钥。请为每个使用网关的人或应用签发一个。</translation>
    </message>
    <message>
        <source>Turn on</source>
        <translation>开启</translation>
    </message>
    <message>
        <source>Could not issue a key: %1</source>
        <translation>无法签发密钥：%1</translation>
    </message>
    <message>
        <source>Issued a key for %1.</source>
        <translation>已为 %1 签发密钥。</translation>
    </message>
    <message>
        <source>Saved %1.</source>
        <translation>已保存 %1。</translation>
    </message>
    <message>
        <source>Could not save %1: %2</source>
        <translation>无法保存 %1：%2</translation>
    </message>
    <message>
        <source>Turned %1 on.</source>
        <translation>已开启 %1。</translation>
    </message>
    <message>
        <source>Turned %1 off.</source>
        <translation>已关闭 %1。</translation>
    </message>
    <message>
        <source>Could not change %1: %2</source>
        <translation>无法更改 %1：%2</translation>
    </message>
    <message>
        <source>Rotate key</source>
        <translation>轮换密钥</translation>
    </message>
    <message>
        <source>Give the client a new key? Its current key stops working at once.</source>
        <translation>要为该客户端生成新密钥吗？当前密钥将立即失效。</translation>
    </message>
    <message>
        <source>Could not rotate the key: %1</source>
        <translation>无法轮换密钥：%1</translation>
    </message>
    <message>
        <source>New key for %1.</source>
        <translation>已为 %1 生成新密钥。</translation>
    </message>
    <message>
        <source>Remove client</source>
        <translation>移除客户端</translation>
    </message>
    <message>
        <source>Remove the client? Its key stops working for good; its usage records stay.</source>
        <translation>要移除该客户端吗？其密钥将永久失效，用量记录会保留。</translation>
    </message>
    <message>
        <source>Removed the client.</source>
        <translation>已移除该客户端。</translation>
    </message>
    <message>
        <source>Could not remove the client: %1</source>
        <translation>无法移除该客户端：%1</translation>
    </message>
</context>
<context>
    <name>gemgate::Clipboard</name>
    <message>
        <source>Copied</source>
        <translation>已复制</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
</context>
<context>
    <name>gemgate::DashboardPage</name>
    <message>
        <source>Show the last:</source>
        <translation>显示最近：</translation>
    </message>
    <message>
        <source>5 minutes</source>
        <translation>5 分钟</translation>
    </message>
    <message>
        <source>15 minutes</source>
        <translation>15 分钟</translation>
    </message>
    <message>
        <source>60 minutes</source>
        <translation>60 分钟</translation>
    </message>
    <message>
        <source>Charts show the last %1</source>
        <translation>图表显示最近 %1</translation>
    </message>
    <message>
        <source>Requests per second</source>
        <translation>每秒请求数</translation>
    </message>
    <message>
        <source>req/s</source>
        <translation>req/s</translation>
    </message>
    <message>
        <source>Answered</source>
        <translation>已响应</translation>
    </message>
    <message>
        <source>Client errors</source>
        <translation>客户端错误</translation>
    </message>
    <message>
        <source>Refused by policy</source>
        <translation>被策略拒绝</translation>
    </message>
    <message>
        <source>Upstream errors</source>
        <translation>上游错误</translation>
    </message>
    <message>
        <source>Latency</source>
        <translation>延迟</translation>
    </message>
    <message>
        <source>ms</source>
        <translation>ms</translation>
    </message>
    <message>
        <source>p50</source>
        <translation>p50</translation>
    </message>
    <message>
        <source>p95</source>
        <translation>p95</translation>
    </message>
    <message>
        <source>p99</source>
        <translation>p99</translation>
    </message>
    <message>
        <source>First byte p50</source>
        <translation>首字节 p50</translation>
    </message>
    <message>
        <source>Tokens per minute</source>
        <translation>每分钟 Token 数</translation>
    </message>
    <message>
        <source>tokens/min</source>
        <translation>Token/分钟</translation>
    </message>
    <message>
        <source>Input</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>Thinking</source>
        <translation>思考</translation>
    </message>
    <message>
        <source>Upstream requests per key</source>
        <translation>各密钥的上游请求</translation>
    </message>
    <message>
        <source>Connections and streams</source>
        <translation>连接与流</translation>
    </message>
    <message>
        <source>open</source>
        <translation>打开数</translation>
    </message>
    <message>
        <source>Client connections</source>
        <translation>客户端连接</translation>
    </message>
    <message>
        <source>Streams</source>
        <translation>流</translation>
    </message>
    <message>
        <source>Since start</source>
        <translation>自启动以来</translation>
    </message>
    <message>
        <source>Requests</source>
        <translation>请求数</translation>
    </message>
    <message>
        <source>Errors</source>
        <translation>错误数</translation>
    </message>
    <message>
        <source>Requests/s</source>
        <translation>请求/秒</translation>
    </message>
    <message>
        <source>Active connections</source>
        <translation>活动连接</translation>
    </message>
    <message>
        <source>Active streams</source>
        <translation>活动流</translation>
    </message>
    <message>
        <source>Prompt tokens</source>
        <translation>输入 Token</translation>
    </message>
    <message>
        <source>Output tokens</source>
        <translation>输出 Token</translation>
    </message>
    <message>
        <source>other keys</source>
        <translation>其他密钥</translation>
    </message>
</context>
<context>
    <name>gemgate::IssuedKeyDialog</name>
    <message>
        <source>Client key for %1</source>
        <translation>%1 的客户端密钥</translation>
    </message>
    <message>
        <source>This is the only time the key is shown: GemGate keeps only its hash. Give it to %1 now; programs send it as their Gemini API key (x-goog-api-key).</source>
        <translation>密钥只会显示这一次：GemGate 只保存它的哈希值。请现在把它交给 %1；程序将其作为 Gemini API 密钥发送（x-goog-api-key）。</translation>
    </message>
    <message>
        <source>The new client key</source>
        <translation>新的客户端密钥</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
</context>
<context>
    <name>gemgate::KeyNoteDialog</name>
    <message>
        <source>Note for key %1</source>
        <translation>密钥 %1 的备注</translation>
    </message>
    <message>
        <source>e.g. billing on, from Alice&apos;s project</source>
        <translation>例如：已开通计费，来自 Alice 的项目</translation>
    </message>
    <message>
        <source>&amp;Note:</source>
        <translation>备注(&amp;N)：</translation>
    </message>
    <message>
        <source>comma-separated, e.g. paid, team-b</source>
        <translation>用逗号分隔，例如 paid, team-b</translation>
    </message>
    <message>
        <source>&amp;Tags:</source>
        <translation>标签(&amp;T)：</translation>
    </message>
</context>
<context>
    <name>gemgate::KeysPanel</name>
    <message>
        <source>back in %1 s</source>
        <translation>%1 秒后恢复</translation>
    </message>
    <message>
        <source>back in %1 min</source>
        <translation>%1 分钟后恢复</translation>
    </message>
    <message>
        <source>back at %1</source>
        <translation>将于 %1 恢复</translation>
    </message>
    <message>
        <source>written in the config file</source>
        <translation>直接写在配置文件中</translation>
    </message>
    <message>
        <source>OS keychain (%1)</source>
        <translation>系统钥匙串（%1）</translation>
    </message>
    <message>
        <source>file %1</source>
        <translation>文件 %1</translation>
    </message>
    <message>
        <source>environment variable %1</source>
        <translation>环境变量 %1</translation>
    </message>
    <message>
        <source>rpm</source>
        <translation>rpm</translation>
    </message>
    <message>
        <source>tpm</source>
        <translation>tpm</translation>
    </message>
    <message>
        <source>rpd</source>
        <translation>rpd</translation>
    </message>
    <message>
        <source>cooling down, %1</source>
        <translation>冷却中，%1</translation>
    </message>
    <message>
        <source>no limit set</source>
        <translation>未设置限制</translation>
    </message>
    <message>
        <source>all models</source>
        <translation>所有模型</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>密钥</translation>
    </message>
    <message>
        <source>Project</source>
        <translation>项目</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Budget</source>
        <translation>额度</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今日</translation>
    </message>
    <message>
        <source>In flight</source>
        <translation>处理中</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>最近错误</translation>
    </message>
    <message>
        <source>The tightest budget of any model: used / limit in the current minute (rpm: requests, tpm: input tokens) and since midnight Pacific time (rpd: requests).</source>
        <translation>各模型中最紧张的额度：当前这一分钟内的已用 / 上限（rpm：请求数，tpm：输入 Token 数），以及自太平洋时间午夜以来的已用 / 上限（rpd：请求数）。</translation>
    </message>
    <message>
        <source>Requests / tokens since midnight Pacific time.</source>
        <translation>自太平洋时间午夜以来的请求数 / Token 数。</translation>
    </message>
    <message>
        <source>Requests this key is serving right now.</source>
        <translation>该密钥当前正在处理的请求数。</translation>
    </message>
    <message>
        <source>Add key…</source>
        <translation>添加密钥…</translation>
    </message>
    <message>
        <source>Add a Gemini API key; its secret goes to the OS keychain or an owner-only file.</source>
        <translation>添加 Gemini API 密钥；密钥值将保存到系统钥匙串或仅所有者可访问的文件中。</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Remove a key added here, and its stored secret. Keys from the config file are removed in the config file.</source>
        <translation>移除在此处添加的密钥及其存储的密钥值。来自配置文件的密钥需在配置文件中移除。</translation>
    </message>
    <message>
        <source>Turn on</source>
        <translation>开启</translation>
    </message>
    <message>
        <source>Let the key take requests again (also clears a disable after an upstream error).</source>
        <translation>让该密钥重新接收请求（也会解除因上游错误导致的停用）。</translation>
    </message>
    <message>
        <source>Turn off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Stop sending requests with this key.</source>
        <translation>不再使用该密钥发送请求。</translation>
    </message>
    <message>
        <source>Test</source>
        <translation>测试</translation>
    </message>
    <message>
        <source>Check the key now with a models list call.</source>
        <translation>立即调用模型列表接口来检查该密钥。</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <source>Cooling down</source>
        <translation>冷却中</translation>
    </message>
    <message>
        <source>At limit</source>
        <translation>已达上限</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>已停用</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>已关闭</translation>
    </message>
    <message>
        <source>No secret</source>
        <translation>缺少密钥值</translation>
    </message>
    <message>
        <source>within limits</source>
        <translation>未达上限</translation>
    </message>
    <message>
        <source>unlimited</source>
        <translation>无限制</translation>
    </message>
    <message>
        <source>Secret: %1</source>
        <translation>密钥值来源：%1</translation>
    </message>
    <message>
        <source>Weight: %1</source>
        <translation>权重：%1</translation>
    </message>
    <message>
        <source>Tags: %1</source>
        <translation>标签：%1</translation>
    </message>
    <message>
        <source>Added in this window</source>
        <translation>在本窗口中添加</translation>
    </message>
    <message>
        <source>Defined in the config file</source>
        <translation>在配置文件中定义</translation>
    </message>
    <message>
        <source>Keys of one Google Cloud project share its quotas.</source>
        <translation>同一 Google Cloud 项目下的密钥共享该项目的配额。</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>Expected back at %1.</source>
        <translation>预计于 %1 恢复。</translation>
    </message>
    <message>
        <source>GemGate re-checks the key on a schedule; Test checks it now, Turn on clears the disable.</source>
        <translation>GemGate 会定期重新检查该密钥；点击“测试”可立即检查，点击“开启”可解除停用。</translation>
    </message>
    <message>
        <source>Disabled by the pool: %1</source>
        <translation>已被密钥池停用：%1</translation>
    </message>
    <message>
        <source>No requests counted yet.</source>
        <translation>尚未统计到请求。</translation>
    </message>
    <message>
        <source>%1 requests and %2 tokens since midnight Pacific time</source>
        <translation>自太平洋时间午夜以来共 %1 个请求、%2 个 Token</translation>
    </message>
    <message>
        <source>At %1:
%2</source>
        <translation>%1：
%2</translation>
    </message>
    <message>
        <source>Last success: %1</source>
        <translation>最近成功：%1</translation>
    </message>
    <message>
        <source>Could not add key %1: the gateway is gone.</source>
        <translation>无法添加密钥 %1：网关已不可用。</translation>
    </message>
    <message>
        <source>Adding key %1…</source>
        <translation>正在添加密钥 %1…</translation>
    </message>
    <message>
        <source>Added key %1.</source>
        <translation>已添加密钥 %1。</translation>
    </message>
    <message>
        <source>Could not add key %1: %2</source>
        <translation>无法添加密钥 %1：%2</translation>
    </message>
    <message>
        <source>Remove key</source>
        <translation>移除密钥</translation>
    </message>
    <message>
        <source>Remove the key &quot;%1&quot; from GemGate and delete its stored secret?</source>
        <translation>要从 GemGate 中移除密钥“%1”并删除其存储的密钥值吗？</translation>
    </message>
    <message>
        <source>Removing key %1…</source>
        <translation>正在移除密钥 %1…</translation>
    </message>
    <message>
        <source>Removed key %1.</source>
        <translation>已移除密钥 %1。</translation>
    </message>
    <message>
        <source>Could not remove key %1: %2</source>
        <translation>无法移除密钥 %1：%2</translation>
    </message>
    <message>
        <source>Could not turn key %1 on: %2</source>
        <translation>无法开启密钥 %1：%2</translation>
    </message>
    <message>
        <source>Could not turn key %1 off: %2</source>
        <translation>无法关闭密钥 %1：%2</translation>
    </message>
    <message>
        <source>Turned key %1 on.</source>
        <translation>已开启密钥 %1。</translation>
    </message>
    <message>
        <source>Turned key %1 off.</source>
        <translation>已关闭密钥 %1。</translation>
    </message>
    <message>
        <source>Testing key %1…</source>
        <translation>正在测试密钥 %1…</translation>
    </message>
    <message>
        <source>Upstream keys</source>
        <translation>上游密钥</translation>
    </message>
    <message>
        <source>Last 24 h</source>
        <translation>最近 24 小时</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Requests per hour over the last 24 hours; the errors among them in red.</source>
        <translation>最近 24 小时每小时的请求数；其中出错的部分以红色显示。</translation>
    </message>
    <message>
        <source>Add many…</source>
        <translation>批量添加…</translation>
    </message>
    <message>
        <source>Paste text with many keys: GemGate finds them, checks each against Gemini and adds the ones you pick.</source>
        <translation>粘贴包含多个密钥的文本：GemGate 会找出它们，逐个向 Gemini 检测，并添加你勾选的密钥。</translation>
    </message>
    <message>
        <source>Note…</source>
        <translation>备注…</translation>
    </message>
    <message>
        <source>A note and tags for the key, for your own records.</source>
        <translation>为密钥添加备注和标签，方便自己记录。</translation>
    </message>
    <message>
        <source>Added %1.</source>
        <translation>已添加 %1。</translation>
    </message>
    <message>
        <source>Added %1; not added: %2</source>
        <translation>已添加 %1；未能添加：%2</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>%1 requests, %2 errors in the last 24 hours</source>
        <translation>最近 24 小时：%1 个请求，%2 个错误</translation>
    </message>
    <message>
        <source>Could not save the note of %1: %2</source>
        <translation>无法保存 %1 的备注：%2</translation>
    </message>
    <message>
        <source>Saved the note of %1.</source>
        <translation>已保存 %1 的备注。</translation>
    </message>
</context>
<context>
    <name>gemgate::LogsPage</name>
    <message>
        <source>–</source>
        <translation>–</translation>
    </message>
    <message>
        <source>Last 15 minutes</source>
        <translation>最近 15 分钟</translation>
    </message>
    <message>
        <source>Last hour</source>
        <translation>最近 1 小时</translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation>最近 24 小时</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>最近 7 天</translation>
    </message>
    <message>
        <source>Everything kept</source>
        <translation>全部保留的记录</translation>
    </message>
    <message>
        <source>&amp;Range:</source>
        <translation>时间范围(&amp;R)：</translation>
    </message>
    <message>
        <source>any</source>
        <translation>任意</translation>
    </message>
    <message>
        <source>&amp;Client:</source>
        <translation>客户端(&amp;C)：</translation>
    </message>
    <message>
        <source>&amp;Key:</source>
        <translation>密钥(&amp;K)：</translation>
    </message>
    <message>
        <source>&amp;Model:</source>
        <translation>模型(&amp;M)：</translation>
    </message>
    <message>
        <source>&amp;Status:</source>
        <translation>状态码(&amp;S)：</translation>
    </message>
    <message>
        <source>&amp;Error:</source>
        <translation>错误(&amp;E)：</translation>
    </message>
    <message>
        <source>Errors only</source>
        <translation>仅显示错误</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>实时</translation>
    </message>
    <message>
        <source>Show new requests as they finish</source>
        <translation>请求完成后立即显示</translation>
    </message>
    <message>
        <source>Requests</source>
        <translation>请求</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态码</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>客户端</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>密钥</translation>
    </message>
    <message>
        <source>Latency ms</source>
        <translation>延迟（毫秒）</translation>
    </message>
    <message>
        <source>Tokens in / out</source>
        <translation>输入 / 输出 Token</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>Select a request to see its details.</source>
        <translation>选择一个请求以查看详情。</translation>
    </message>
    <message>
        <source>Request details</source>
        <translation>请求详情</translation>
    </message>
    <message>
        <source>Errors in the range</source>
        <translation>该时间范围内的错误</translation>
    </message>
    <message>
        <source>Click one to show only its requests</source>
        <translation>点击某一项，只显示对应的请求</translation>
    </message>
    <message>
        <source>Newest</source>
        <translation>最新</translation>
    </message>
    <message>
        <source>Older</source>
        <translation>更早</translation>
    </message>
    <message>
        <source>%1 × %2, last %3</source>
        <translation>%1 × %2，最近一次 %3</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>No requests match.</source>
        <translation>没有匹配的请求。</translation>
    </message>
    <message numerus="yes">
        <source>Page %1: %n request(s)</source>
        <translation>
            <numerusform>第 %1 页：%n 个请求</numerusform>
        </translation>
    </message>
    <message>
        <source>Request id:   %1</source>
        <translation>请求 ID：   %1</translation>
    </message>
    <message>
        <source>Time:         %1</source>
        <translation>时间：       %1</translation>
    </message>
    <message>
        <source>Route:        %1</source>
        <translation>路由：       %1</translation>
    </message>
    <message>
        <source>Status:       %1%2</source>
        <translation>状态码：     %1%2</translation>
    </message>
    <message>
        <source> (stream)</source>
        <translation>（流式）</translation>
    </message>
    <message>
        <source>Client:       %1 (namespace %2)</source>
        <translation>客户端：     %1（命名空间 %2）</translation>
    </message>
    <message>
        <source>Model:        %1</source>
        <translation>模型：       %1</translation>
    </message>
    <message>
        <source>Key:          %1 (attempts: %2)</source>
        <translation>密钥：       %1（尝试次数：%2）</translation>
    </message>
    <message>
        <source>Latency:      %1 ms, first byte after %2 ms</source>
        <translation>延迟：       %1 毫秒，首字节 %2 毫秒</translation>
    </message>
    <message>
        <source>Tokens:       %1 in (%2 cached), %3 out, %4 thinking, %5 total</source>
        <translation>Token：      输入 %1（缓存 %2），输出 %3，思考 %4，合计 %5</translation>
    </message>
    <message>
        <source>Bytes:        %1 in, %2 out</source>
        <translation>字节：       输入 %1，输出 %2</translation>
    </message>
    <message>
        <source>Error:        %1</source>
        <translation>错误：       %1</translation>
    </message>
    <message>
        <source>Cut short:    a token quota ran out during the stream</source>
        <translation>已截断：     流式响应期间 Token 配额用尽</translation>
    </message>
    <message>
        <source>Admitted:     no (refused before the client&apos;s quotas counted it)</source>
        <translation>已准入：     否（在计入客户端配额之前即被拒绝）</translation>
    </message>
    <message>
        <source>Errors in the range, by kind</source>
        <translation>该时间范围内的错误（按类型）</translation>
    </message>
</context>
<context>
    <name>gemgate::MainWindow</name>
    <message>
        <source>GemGate</source>
        <translation>GemGate</translation>
    </message>
    <message>
        <source>Pages</source>
        <translation>页面</translation>
    </message>
    <message>
        <source>Dashboard</source>
        <translation>仪表盘</translation>
    </message>
    <message>
        <source>Live traffic and the quota left today</source>
        <translation>实时流量和今日剩余配额</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>密钥</translation>
    </message>
    <message>
        <source>The upstream Gemini API keys</source>
        <translation>上游 Gemini API 密钥</translation>
    </message>
    <message>
        <source>Connect</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>The address and key your programs use, and the admin API</source>
        <translation>你的程序使用的地址和密钥，以及管理 API</translation>
    </message>
    <message>
        <source>Gateway messages</source>
        <translation>网关消息</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>What the gateway reported: starts, stops, reloads, problems</source>
        <translation>网关报告的事件：启动、停止、重新加载和各类问题</translation>
    </message>
    <message>
        <source>Start failed: %1</source>
        <translation>启动失败：%1</translation>
    </message>
    <message>
        <source>Gateway</source>
        <translation>网关</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy the URL, for your SDK&apos;s base URL setting</source>
        <translation>复制该 URL，填入 SDK 的 base URL 设置</translation>
    </message>
    <message>
        <source>Listening on:</source>
        <translation>监听地址：</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>Copy the client key, for your SDK&apos;s API key setting</source>
        <translation>复制客户端密钥，填入 SDK 的 API 密钥设置</translation>
    </message>
    <message>
        <source>Client key:</source>
        <translation>客户端密钥：</translation>
    </message>
    <message>
        <source>The admin listener: /metrics, /health and /ready, and the admin API (/api/...), which asks for the admin token</source>
        <translation>管理监听地址：提供 /metrics、/health 和 /ready，以及需要管理令牌的管理 API（/api/...）</translation>
    </message>
    <message>
        <source>Admin API:</source>
        <translation>管理 API：</translation>
    </message>
    <message>
        <source>Send it as “Authorization: Bearer &lt;token&gt;”. It comes from admin.token in the config file or, when that is empty, is generated on first run into an owner-only file (admin.token_file).</source>
        <translation>以“Authorization: Bearer &lt;token&gt;”的形式发送。它取自配置文件中的 admin.token；若该项为空，则在首次运行时生成，并写入仅所有者可访问的文件（admin.token_file）。</translation>
    </message>
    <message>
        <source>Copy the admin token, for scripts and tools that call the admin API</source>
        <translation>复制管理令牌，供调用管理 API 的脚本和工具使用</translation>
    </message>
    <message>
        <source>Admin token:</source>
        <translation>管理令牌：</translation>
    </message>
    <message>
        <source>Config file:</source>
        <translation>配置文件：</translation>
    </message>
    <message>
        <source>Upstream keys:</source>
        <translation>上游密钥：</translation>
    </message>
    <message>
        <source>GemGate is still running</source>
        <translation>GemGate 仍在运行</translation>
    </message>
    <message>
        <source>The gateway keeps running in the tray. Use the tray menu to quit.</source>
        <translation>网关会在系统托盘中继续运行。如需退出，请使用托盘菜单。</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Draining</source>
        <translation>正在排空</translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation>正在停止…</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>启动</translation>
    </message>
    <message>
        <source>Not listening</source>
        <translation>未监听</translation>
    </message>
    <message>
        <source>(built-in configuration)</source>
        <translation>（内置配置）</translation>
    </message>
    <message>
        <source>Hide</source>
        <translation>隐藏</translation>
    </message>
    <message>
        <source>–</source>
        <translation>–</translation>
    </message>
    <message>
        <source>None in the config file (auth.client_keys): programs need a key issued with “gemgate clients add” or a JWT.</source>
        <translation>配置文件中未设置（auth.client_keys）：程序需使用通过“gemgate clients add”签发的密钥或 JWT。</translation>
    </message>
    <message>
        <source>Authentication is off: any program on this computer can use this gateway without a key.</source>
        <translation>身份验证已关闭：这台计算机上的任何程序都无需密钥即可使用此网关。</translation>
    </message>
    <message>
        <source>Authentication is off: anyone who can reach %1 can use this gateway without a key.</source>
        <translation>身份验证已关闭：任何能访问 %1 的人都无需密钥即可使用此网关。</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>已关闭</translation>
    </message>
    <message>
        <source>Off (admin.enabled is false in the config file)</source>
        <translation>已关闭（配置文件中 admin.enabled 为 false）</translation>
    </message>
    <message>
        <source>Off (the admin listener could not start; see Messages)</source>
        <translation>已关闭（管理监听无法启动；请查看“消息”）</translation>
    </message>
    <message>
        <source>None: the admin API is off (see Messages).</source>
        <translation>无：管理 API 已关闭（请查看“消息”）。</translation>
    </message>
    <message>
        <source>0 (add one on the Keys page with Add key…, or gemini.api_keys in the config file; requests get 503 until then)</source>
        <translation>0（请在“密钥”页面点击“添加密钥…”添加，或在配置文件中设置 gemini.api_keys；在此之前请求会返回 503）</translation>
    </message>
    <message>
        <source>%1 available</source>
        <translation>%1 个可用</translation>
    </message>
    <message>
        <source>%1 cooling down</source>
        <translation>%1 个冷却中</translation>
    </message>
    <message>
        <source>%1 disabled</source>
        <translation>%1 个已停用</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>, </source>
        <translation>，</translation>
    </message>
    <message>
        <source>Disabled counts keys that are turned off, keys Gemini refused and keys whose secret could not be loaded; the Keys page tells them apart.</source>
        <translation>“已停用”包括已关闭的密钥、被 Gemini 拒绝的密钥以及无法加载密钥值的密钥；可在“密钥”页面区分它们。</translation>
    </message>
    <message>
        <source>Clients</source>
        <translation>客户端</translation>
    </message>
    <message>
        <source>The client keys GemGate issued, and their use against their quotas</source>
        <translation>GemGate 签发的客户端密钥及其配额用量</translation>
    </message>
    <message>
        <source>Logs</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>Every request, with its timings, tokens and error</source>
        <translation>每个请求及其耗时、Token 和错误</translation>
    </message>
    <message>
        <source>Usage</source>
        <translation>用量</translation>
    </message>
    <message>
        <source>Requests and tokens per day or hour, by client, namespace, key or model</source>
        <translation>按客户端、命名空间、密钥或模型统计的每日或每小时请求数和 Token 数</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>The config file, its history, and the window&apos;s preferences</source>
        <translation>配置文件、配置历史和窗口偏好设置</translation>
    </message>
</context>
<context>
    <name>gemgate::Notifier</name>
    <message>
        <source>tokens per day</source>
        <translation>每日 Token 数</translation>
    </message>
    <message>
        <source>requests per day</source>
        <translation>每日请求数</translation>
    </message>
    <message>
        <source>tokens per month</source>
        <translation>每月 Token 数</translation>
    </message>
    <message>
        <source>requests per month</source>
        <translation>每月请求数</translation>
    </message>
    <message>
        <source>A key is disabled</source>
        <translation>有密钥被停用</translation>
    </message>
    <message>
        <source>Every key is cooling down</source>
        <translation>所有密钥都在冷却</translation>
    </message>
    <message>
        <source>A client reaches 80% or 100% of a quota</source>
        <translation>客户端用量达到配额的 80% 或 100%</translation>
    </message>
    <message>
        <source>The gateway stops unexpectedly</source>
        <translation>网关意外停止</translation>
    </message>
    <message>
        <source>The gateway stopped.</source>
        <translation>网关已停止。</translation>
    </message>
    <message>
        <source>The gateway stopped: %1</source>
        <translation>网关已停止：%1</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>Requests wait or fail until a key is back.</source>
        <translation>在有密钥恢复之前，请求会等待或失败。</translation>
    </message>
    <message>
        <source>Requests wait or fail until a key is back, the first at %1.</source>
        <translation>在有密钥恢复之前，请求会等待或失败；最早一个将于 %1 恢复。</translation>
    </message>
    <message>
        <source>%1 has used %2% of its %3 (%4 of %5).</source>
        <translation>%1 已用掉%3配额的 %2%（%4 / %5）。</translation>
    </message>
    <message>
        <source>The certificate %1 (%2) expired on %3.</source>
        <translation>证书 %1（%2）已于 %3 过期。</translation>
    </message>
    <message>
        <source>The certificate %1 (%2) expires on %3.</source>
        <translation>证书 %1（%2）将于 %3 过期。</translation>
    </message>
    <message numerus="yes">
        <source>%n key(s) disabled</source>
        <translation>
            <numerusform>%n 个密钥被停用</numerusform>
        </translation>
    </message>
    <message>
        <source>Every upstream key is cooling down</source>
        <translation>所有上游密钥都在冷却</translation>
    </message>
    <message>
        <source>Client quotas</source>
        <translation>客户端配额</translation>
    </message>
    <message>
        <source>GemGate stopped</source>
        <translation>GemGate 已停止</translation>
    </message>
    <message numerus="yes">
        <source>and %n more</source>
        <translation>
            <numerusform>另有 %n 条</numerusform>
        </translation>
    </message>
    <message>
        <source>A certificate is about to expire or cannot be renewed</source>
        <translation>证书即将过期或无法续期</translation>
    </message>
    <message>
        <source>Could not get a certificate for %1: %2</source>
        <translation>无法为 %1 获取证书：%2</translation>
    </message>
    <message>
        <source>Certificate</source>
        <translation>证书</translation>
    </message>
</context>
<context>
    <name>gemgate::QuotaPanel</name>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>Quota left today</source>
        <translation>今日剩余配额</translation>
    </message>
    <message>
        <source>Quota left today, per key and model</source>
        <translation>今日剩余配额（按密钥和模型）</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>密钥</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Resets in</source>
        <translation>距重置</translation>
    </message>
    <message>
        <source>Runs out</source>
        <translation>预计用尽</translation>
    </message>
    <message>
        <source>When the daily limit runs out at the rate of the last minute</source>
        <translation>按最近一分钟的速率，每日上限预计何时用尽</translation>
    </message>
    <message>
        <source>No budgets yet: a key x model appears here once it has served a request or has a limit in the config (gemini.api_keys[].limits, gemini.projects).</source>
        <translation>暂无额度数据：某个“密钥 × 模型”组合处理过请求，或在配置中设置了限制（gemini.api_keys[].limits、gemini.projects）后，就会显示在这里。</translation>
    </message>
    <message>
        <source>under a minute</source>
        <translation>不到 1 分钟</translation>
    </message>
    <message numerus="yes">
        <source>%n min</source>
        <translation>
            <numerusform>%n 分钟</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 小时 %2 分钟</translation>
    </message>
    <message>
        <source>no daily limit</source>
        <translation>无每日上限</translation>
    </message>
    <message>
        <source>used up</source>
        <translation>已用尽</translation>
    </message>
    <message>
        <source>not at this rate</source>
        <translation>按当前速率不会用尽</translation>
    </message>
    <message>
        <source>not before the reset</source>
        <translation>重置前不会用尽</translation>
    </message>
    <message>
        <source>at %1 (in %2)</source>
        <translation>%1（%2后）</translation>
    </message>
    <message>
        <source>(no model)</source>
        <translation>（无模型）</translation>
    </message>
    <message>
        <source>RPD</source>
        <translation>RPD</translation>
    </message>
    <message>
        <source>RPM</source>
        <translation>RPM</translation>
    </message>
    <message>
        <source>TPM</source>
        <translation>TPM</translation>
    </message>
    <message>
        <source>Requests today (since midnight Pacific time) / the daily limit</source>
        <translation>今日请求数（自太平洋时间午夜起）/ 每日上限</translation>
    </message>
    <message>
        <source>Requests in the last minute / the per-minute limit</source>
        <translation>最近一分钟的请求数 / 每分钟上限</translation>
    </message>
    <message>
        <source>Input tokens in the last minute / the per-minute limit</source>
        <translation>最近一分钟的输入 Token 数 / 每分钟上限</translation>
    </message>
    <message>
        <source>Clients&apos; use today against their daily quotas</source>
        <translation>各客户端今日用量与每日配额</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>客户端</translation>
    </message>
    <message>
        <source>Requests today</source>
        <translation>今日请求</translation>
    </message>
    <message>
        <source>Tokens today</source>
        <translation>今日 Token</translation>
    </message>
</context>
<context>
    <name>gemgate::SettingsForm</name>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Browse for %1</source>
        <translation>选择%1</translation>
    </message>
    <message>
        <source>Listener</source>
        <translation>监听</translation>
    </message>
    <message>
        <source>Listen address</source>
        <translation>监听地址</translation>
    </message>
    <message>
        <source>127.0.0.1 serves this machine only; 0.0.0.0 or :: opens GemGate to the network.</source>
        <translation>127.0.0.1 只服务本机；0.0.0.0 或 :: 会把 GemGate 开放给网络。</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>端口</translation>
    </message>
    <message>
        <source>any free port</source>
        <translation>任意空闲端口</translation>
    </message>
    <message>
        <source>Worker threads</source>
        <translation>工作线程</translation>
    </message>
    <message>
        <source>one per core</source>
        <translation>每核一个</translation>
    </message>
    <message>
        <source>Most connections</source>
        <translation>最大连接数</translation>
    </message>
    <message>
        <source>&amp;Address:</source>
        <translation>地址(&amp;A)：</translation>
    </message>
    <message>
        <source>&amp;Port:</source>
        <translation>端口(&amp;P)：</translation>
    </message>
    <message>
        <source>&amp;Workers:</source>
        <translation>工作线程(&amp;W)：</translation>
    </message>
    <message>
        <source>Most &amp;connections:</source>
        <translation>最大连接数(&amp;C)：</translation>
    </message>
    <message>
        <source>HTTPS</source>
        <translation>HTTPS</translation>
    </message>
    <message>
        <source>Serve &amp;HTTPS</source>
        <translation>提供 HTTPS(&amp;H)</translation>
    </message>
    <message>
        <source>Certificate file</source>
        <translation>证书文件</translation>
    </message>
    <message>
        <source>empty: a self-signed certificate</source>
        <translation>留空：使用自签名证书</translation>
    </message>
    <message>
        <source>Private key file</source>
        <translation>私钥文件</translation>
    </message>
    <message>
        <source>C&amp;ertificate:</source>
        <translation>证书(&amp;E)：</translation>
    </message>
    <message>
        <source>Private &amp;key:</source>
        <translation>私钥(&amp;K)：</translation>
    </message>
    <message>
        <source>Certificates from an ACME CA are set in the config file (server.tls.acme).</source>
        <translation>来自 ACME 证书颁发机构的证书在配置文件中设置（server.tls.acme）。</translation>
    </message>
    <message>
        <source>Authentication</source>
        <translation>身份验证</translation>
    </message>
    <message>
        <source>Clients must present a &amp;key</source>
        <translation>客户端必须提供密钥(&amp;K)</translation>
    </message>
    <message>
        <source>Requests per minute per client</source>
        <translation>每个客户端每分钟请求数</translation>
    </message>
    <message>
        <source>unlimited</source>
        <translation>不限</translation>
    </message>
    <message>
        <source>Allowed addresses</source>
        <translation>允许的地址</translation>
    </message>
    <message>
        <source>every address; e.g. 10.0.0.0/8, ::1</source>
        <translation>所有地址；例如 10.0.0.0/8, ::1</translation>
    </message>
    <message>
        <source>Refused addresses</source>
        <translation>拒绝的地址</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Requests/min per &amp;client:</source>
        <translation>每客户端每分钟请求数(&amp;C)：</translation>
    </message>
    <message>
        <source>A&amp;llowed addresses:</source>
        <translation>允许的地址(&amp;L)：</translation>
    </message>
    <message>
        <source>&amp;Refused addresses:</source>
        <translation>拒绝的地址(&amp;R)：</translation>
    </message>
    <message>
        <source>Upstream keys</source>
        <translation>上游密钥</translation>
    </message>
    <message>
        <source>Key choice</source>
        <translation>密钥选择方式</translation>
    </message>
    <message>
        <source>Round robin</source>
        <translation>轮询</translation>
    </message>
    <message>
        <source>Fewest requests in flight</source>
        <translation>进行中请求最少</translation>
    </message>
    <message>
        <source>Most quota left</source>
        <translation>剩余配额最多</translation>
    </message>
    <message>
        <source>Weighted random</source>
        <translation>按权重随机</translation>
    </message>
    <message>
        <source>Sticky per session</source>
        <translation>按会话固定</translation>
    </message>
    <message>
        <source>Retries on another key</source>
        <translation>换密钥重试次数</translation>
    </message>
    <message>
        <source>Health check of resting keys, seconds</source>
        <translation>休息中密钥的健康检查间隔（秒）</translation>
    </message>
    <message>
        <source>never</source>
        <translation>从不</translation>
    </message>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <source>Key &amp;choice:</source>
        <translation>密钥选择方式(&amp;C)：</translation>
    </message>
    <message>
        <source>Retries on &amp;another key:</source>
        <translation>换密钥重试次数(&amp;A)：</translation>
    </message>
    <message>
        <source>Re-check &amp;resting keys every:</source>
        <translation>重新检查休息中密钥的间隔(&amp;R)：</translation>
    </message>
    <message>
        <source>Client quotas and gateway limits</source>
        <translation>客户端配额与网关限制</translation>
    </message>
    <message>
        <source>Tokens per day per client</source>
        <translation>每个客户端每日 token 数</translation>
    </message>
    <message>
        <source>Requests per day per client</source>
        <translation>每个客户端每日请求数</translation>
    </message>
    <message>
        <source>Requests per minute, whole gateway</source>
        <translation>整个网关每分钟请求数</translation>
    </message>
    <message>
        <source>Time zone of days and months</source>
        <translation>按日、按月计算所用的时区</translation>
    </message>
    <message>
        <source>UTC, local or an IANA name such as Asia/Shanghai</source>
        <translation>UTC、local 或 IANA 时区名，如 Asia/Shanghai</translation>
    </message>
    <message>
        <source>&amp;Tokens per day per client:</source>
        <translation>每客户端每日 token 数(&amp;T)：</translation>
    </message>
    <message>
        <source>Re&amp;quests per day per client:</source>
        <translation>每客户端每日请求数(&amp;Q)：</translation>
    </message>
    <message>
        <source>Requests per minute, &amp;whole gateway:</source>
        <translation>整个网关每分钟请求数(&amp;W)：</translation>
    </message>
    <message>
        <source>Days and months in time &amp;zone:</source>
        <translation>日和月按此时区计算(&amp;Z)：</translation>
    </message>
    <message>
        <source>Logging</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>Access log</source>
        <translation>访问日志</translation>
    </message>
    <message>
        <source>Standard output</source>
        <translation>标准输出</translation>
    </message>
    <message>
        <source>A file</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Access log file</source>
        <translation>访问日志文件</translation>
    </message>
    <message>
        <source>Log level</source>
        <translation>日志级别</translation>
    </message>
    <message>
        <source>Debug</source>
        <translation>调试</translation>
    </message>
    <message>
        <source>Info</source>
        <translation>信息</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>Log request and response &amp;bodies (for debugging; redacted)</source>
        <translation>记录请求和响应正文（用于调试，已脱敏）(&amp;B)</translation>
    </message>
    <message>
        <source>Access &amp;log:</source>
        <translation>访问日志(&amp;L)：</translation>
    </message>
    <message>
        <source>Log &amp;file:</source>
        <translation>日志文件(&amp;F)：</translation>
    </message>
    <message>
        <source>Le&amp;vel:</source>
        <translation>级别(&amp;V)：</translation>
    </message>
    <message>
        <source>OpenAI-compatible API</source>
        <translation>OpenAI 兼容 API</translation>
    </message>
    <message>
        <source>Serve /v1/chat/completions, /v1/embeddings and /v1/models</source>
        <translation>提供 /v1/chat/completions、/v1/embeddings 和 /v1/models</translation>
    </message>
    <message>
        <source>Send thoughts as reasoning_content (for clients that show them)</source>
        <translation>以 reasoning_content 发送思考内容（供会显示它的客户端使用）</translation>
    </message>
    <message>
        <source>Model aliases: a model name a client asks for, and the Gemini model it gets.</source>
        <translation>模型别名：客户端请求的模型名，以及它实际使用的 Gemini 模型。</translation>
    </message>
    <message>
        <source>Model aliases</source>
        <translation>模型别名</translation>
    </message>
    <message>
        <source>Client asks for</source>
        <translation>客户端请求</translation>
    </message>
    <message>
        <source>Gemini model</source>
        <translation>Gemini 模型</translation>
    </message>
    <message>
        <source>Add alias</source>
        <translation>添加别名</translation>
    </message>
    <message>
        <source>Remove alias</source>
        <translation>删除别名</translation>
    </message>
</context>
<context>
    <name>gemgate::SettingsPage</name>
    <message>
        <source>Config file</source>
        <translation>配置文件</translation>
    </message>
    <message>
        <source>History</source>
        <translation>历史</translation>
    </message>
    <message>
        <source>Window</source>
        <translation>窗口</translation>
    </message>
    <message>
        <source>The config in force. Secrets show as placeholders; leave them as they are to keep the secret. Apply checks the text, writes the file and swaps it in without a restart.</source>
        <translation>当前生效的配置。密钥等机密显示为占位符；保持原样即可保留原值。点击“应用”会检查文本、写入文件，并在不重启的情况下切换为新配置。</translation>
    </message>
    <message>
        <source>Config file text</source>
        <translation>配置文件文本</translation>
    </message>
    <message>
        <source>Problems in the config text</source>
        <translation>配置文本中的问题</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>应用</translation>
    </message>
    <message>
        <source>Revert</source>
        <translation>还原</translation>
    </message>
    <message>
        <source>Throw the edits away and show the config in force</source>
        <translation>放弃修改，显示当前生效的配置</translation>
    </message>
    <message>
        <source>Config versions</source>
        <translation>配置版本</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Applied</source>
        <translation>应用时间</translation>
    </message>
    <message>
        <source>By</source>
        <translation>操作者</translation>
    </message>
    <message>
        <source>How</source>
        <translation>方式</translation>
    </message>
    <message>
        <source>Comment</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Select a version to see how it differs from the config in force.</source>
        <translation>选择一个版本，查看它与当前生效配置的差异。</translation>
    </message>
    <message>
        <source>Differences</source>
        <translation>差异</translation>
    </message>
    <message>
        <source>Roll back to this version…</source>
        <translation>回滚到此版本…</translation>
    </message>
    <message>
        <source>Roll back</source>
        <translation>回滚</translation>
    </message>
    <message>
        <source>Apply this version again? It becomes a new version in the history.</source>
        <translation>要重新应用此版本吗？它将作为新版本记入历史。</translation>
    </message>
    <message>
        <source>The system&apos;s language</source>
        <translation>跟随系统语言</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>语言(&amp;L)：</translation>
    </message>
    <message>
        <source>A new language applies when GemGate starts again.</source>
        <translation>新的语言将在 GemGate 下次启动时生效。</translation>
    </message>
    <message>
        <source>The window&apos;s language is saved; it applies when GemGate starts again.</source>
        <translation>窗口语言已保存，将在 GemGate 下次启动时生效。</translation>
    </message>
    <message>
        <source>Start GemGate in the tray when I log in</source>
        <translation>登录时在系统托盘中启动 GemGate</translation>
    </message>
    <message>
        <source>Start:</source>
        <translation>启动：</translation>
    </message>
    <message>
        <source>Desktop notifications</source>
        <translation>桌面通知</translation>
    </message>
    <message>
        <source>GemGate runs from a built-in configuration, not a file.</source>
        <translation>GemGate 正在使用内置配置运行，而不是配置文件。</translation>
    </message>
    <message>
        <source>Start the gateway to edit its config.</source>
        <translation>请先启动网关再编辑其配置。</translation>
    </message>
    <message>
        <source>%1 (in force)</source>
        <translation>%1（生效中）</translation>
    </message>
    <message>
        <source>Not applied: %1</source>
        <translation>未应用：%1</translation>
    </message>
    <message>
        <source>Applied as version %1.</source>
        <translation>已应用，版本 %1。</translation>
    </message>
    <message>
        <source>Applied as version %1, but: %2</source>
        <translation>已应用，版本 %1，但是：%2</translation>
    </message>
    <message>
        <source>This is the version in force.</source>
        <translation>这是当前生效的版本。</translation>
    </message>
    <message>
        <source>From the config in force (-) to version %1 (+):</source>
        <translation>从当前生效的配置（-）到版本 %1（+）：</translation>
    </message>
    <message>
        <source>Could not roll back: %1</source>
        <translation>无法回滚：%1</translation>
    </message>
    <message>
        <source>Rolled back to version %1 (now version %2).</source>
        <translation>已回滚到版本 %1（当前为版本 %2）。</translation>
    </message>
    <message>
        <source>General</source>
        <translation>常用</translation>
    </message>
    <message>
        <source>Write the changed fields into the config file (its comments and other lines stay) and swap it in without a restart</source>
        <translation>把改动的字段写入配置文件（注释和其他行保持不变），无需重启即可生效</translation>
    </message>
    <message>
        <source>Throw the changes away and show the settings in force</source>
        <translation>放弃改动，显示当前生效的设置</translation>
    </message>
    <message>
        <source>Not applied: %1 (see the Config file tab)</source>
        <translation>未应用：%1（详见“配置文件”标签页）</translation>
    </message>
    <message>
        <source>HTTPS is off.</source>
        <translation>HTTPS 未开启。</translation>
    </message>
    <message>
        <source>the ACME certificate</source>
        <translation>ACME 证书</translation>
    </message>
    <message>
        <source>the certificate file</source>
        <translation>证书文件</translation>
    </message>
    <message>
        <source>a self-signed certificate</source>
        <translation>自签名证书</translation>
    </message>
    <message>
        <source>Serving %1 for %2, issued by %3, valid until %4.</source>
        <translation>正在为 %2 提供%1，颁发者：%3，有效期至 %4。</translation>
    </message>
    <message>
        <source>ACME: ordering a certificate now.</source>
        <translation>ACME：正在申请证书。</translation>
    </message>
    <message>
        <source>ACME: the last order failed: %1</source>
        <translation>ACME：上次申请失败：%1</translation>
    </message>
    <message>
        <source>ACME: next renewal %1.</source>
        <translation>ACME：下次续期时间 %1。</translation>
    </message>
</context>
<context>
    <name>gemgate::TrayIcon</name>
    <message>
        <source>Running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>Draining</source>
        <translation>正在排空</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>Show window</source>
        <translation>显示窗口</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>Stop gateway</source>
        <translation>停止网关</translation>
    </message>
    <message>
        <source>Stopping gateway…</source>
        <translation>正在停止网关…</translation>
    </message>
    <message>
        <source>Start gateway</source>
        <translation>启动网关</translation>
    </message>
    <message>
        <source>GemGate could not start</source>
        <translation>GemGate 无法启动</translation>
    </message>
    <message>
        <source>GemGate: %1</source>
        <translation>GemGate：%1</translation>
    </message>
    <message>
        <source>Requests: %1</source>
        <translation>请求数：%1</translation>
    </message>
    <message>
        <source>no key can take a request</source>
        <translation>没有可接收请求的密钥</translation>
    </message>
    <message>
        <source>no key can take a request: %1</source>
        <translation>没有可接收请求的密钥：%1</translation>
    </message>
    <message numerus="yes">
        <source>%n key(s) cooling down</source>
        <translation>
            <numerusform>%n 个密钥冷却中</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n key(s) at a limit</source>
        <translation>
            <numerusform>%n 个密钥已达上限</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n key(s) disabled by Gemini</source>
        <translation>
            <numerusform>%n 个密钥被 Gemini 停用</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n key(s) without their secret</source>
        <translation>
            <numerusform>%n 个密钥缺少密钥值</numerusform>
        </translation>
    </message>
    <message>
        <source>, </source>
        <translation>，</translation>
    </message>
    <message>
        <source>Copy base URL</source>
        <translation>复制基础 URL</translation>
    </message>
    <message>
        <source>Copy client key</source>
        <translation>复制客户端密钥</translation>
    </message>
    <message>
        <source>Notifications</source>
        <translation>通知</translation>
    </message>
    <message>
        <source>Start at login</source>
        <translation>登录时启动</translation>
    </message>
    <message>
        <source>Start GemGate in the tray when you log in</source>
        <translation>登录时在系统托盘中启动 GemGate</translation>
    </message>
</context>
<context>
    <name>gemgate::UsagePage</name>
    <message>
        <source>&amp;Group by:</source>
        <translation>分组(&amp;G)：</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>客户端</translation>
    </message>
    <message>
        <source>Namespace</source>
        <translation>命名空间</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>密钥</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>&amp;Per:</source>
        <translation>粒度(&amp;P)：</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>日</translation>
    </message>
    <message>
        <source>Hour</source>
        <translation>小时</translation>
    </message>
    <message>
        <source>&amp;Range:</source>
        <translation>时间范围(&amp;R)：</translation>
    </message>
    <message>
        <source>&amp;Chart:</source>
        <translation>图表(&amp;C)：</translation>
    </message>
    <message>
        <source>Requests</source>
        <translation>请求数</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>Token 数</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <source>Usage chart</source>
        <translation>用量图表</translation>
    </message>
    <message>
        <source>Usage table</source>
        <translation>用量表格</translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation>最近 24 小时</translation>
    </message>
    <message>
        <source>Last 48 hours</source>
        <translation>最近 48 小时</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>最近 7 天</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>最近 30 天</translation>
    </message>
    <message>
        <source>Last 90 days</source>
        <translation>最近 90 天</translation>
    </message>
    <message>
        <source>Export usage</source>
        <translation>导出用量</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>Errors</source>
        <translation>错误数</translation>
    </message>
    <message>
        <source>Input tokens</source>
        <translation>输入 Token</translation>
    </message>
    <message>
        <source>Output tokens</source>
        <translation>输出 Token</translation>
    </message>
    <message>
        <source>Thinking tokens</source>
        <translation>思考 Token</translation>
    </message>
    <message>
        <source>Total tokens</source>
        <translation>Token 总数</translation>
    </message>
    <message>
        <source>other</source>
        <translation>其他</translation>
    </message>
    <message>
        <source>tokens</source>
        <translation>Token</translation>
    </message>
    <message>
        <source>requests</source>
        <translation>请求</translation>
    </message>
    <message>
        <source>No usage in this range</source>
        <translation>该时间范围内没有用量</translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
</context>
</TS>
