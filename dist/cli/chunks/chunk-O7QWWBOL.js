function t({username:e,password:r}){return Buffer.from(`${e}:${r}`,"utf8").toString("base64")}export{t as a};
