function r(n){return n.map(t=>/^[\w@%+=:,./-]+$/.test(t)?t:`'${t.replace(/'/g,"'\\''")}'`).join(" ")}function e(n){return Object.keys(n).sort().map(t=>`${t}=${n[t]}`)}export{r as a,e as b};
